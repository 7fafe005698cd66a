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
