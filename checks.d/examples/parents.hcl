# parents: a host's parent is the host it is reached through (a router, an
# uplink). While a check of the parent tagged host_alive = "true" (its ping,
# say) is not OK, a problem of a check on the child host is UNREACHABLE
# rather than DOWN, and pages nobody on its own. The parent's other checks
# (its disk, its load) never make its children unreachable, and a parent
# without a host_alive check has no effect: `vakt validate` warns of it.
# Parent cycles are errors.

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

# The "is it up at all" check of each host: what its children depend on.
# A real pack pings here: plugin = "ping" (see plugin-ping.hcl).
check "example-alive" {
  hosts   = ["example-router", "example-switch", "example-server"]
  tags    = { host_alive = "true" }
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", "${host.name} is up, behind ${host.parent == "" ? "nothing" : host.parent}"]
}
