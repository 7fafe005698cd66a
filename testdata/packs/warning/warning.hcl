# An OK and a WARNING check on a declared host: `vakt check` exits 1, and
# the host's address is interpolated into the command.
host "loopback" {
  address = "127.0.0.1"
}

check "ok" {
  host    = "loopback"
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", "fine on ${host.address}"]
}

check "warning" {
  host    = "loopback"
  command = ["/usr/lib/nagios/plugins/check_dummy", "1", "a warning"]
}
