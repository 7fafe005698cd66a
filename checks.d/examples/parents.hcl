# parents: a host's parent is the host it is reached through. When a check
# of a host fails while its parent is down too, the host is UNREACHABLE
# rather than DOWN, and does not page anyone on its own. Parent cycles are
# errors.

host "example-router" {
  address = "127.0.0.1"
}

host "example-switch" {
  address = "127.0.0.1"
  parent  = "example-router"
}

host "example-server" {
  address = "127.0.0.1"
  parent  = "example-switch"
}

check "example-reachable" {
  hosts   = ["example-router", "example-switch", "example-server"]
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", "${host.name} is up, behind ${host.parent == "" ? "nothing" : host.parent}"]
}
