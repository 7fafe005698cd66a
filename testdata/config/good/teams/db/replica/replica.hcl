defaults {
  max_attempts = 10
  tags         = { team = "db" }
}

check "replica-lag" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", "lag 0s"]
}
