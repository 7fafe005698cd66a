# One check per plugin state, for the `vakt check` exit-code and JUnit tests.
check "dummy-ok" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", "all fine"]
}

check "dummy-warning" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "1", "getting full"]
}

check "dummy-critical" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "2", "down"]
}

check "dummy-unknown" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "3", "no idea"]
}
