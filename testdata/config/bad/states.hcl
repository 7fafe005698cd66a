check "bad-state" {
  command       = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  timeout_state = "red"
  unknown_as    = "critical"
}

check "out-of-range" {
  command       = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  timeout_state = 4
  unknown_as    = ""
}
