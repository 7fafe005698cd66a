host "web1" {}

check "wrong-types" {
  command       = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  max_attempts  = "three"
  output_limit  = 0
  shell         = "maybe"
  tags          = "web"
  timeout_state = ["critical"]
}

check "out-of-range" {
  command      = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  max_attempts = 1.5
  output_limit = 100000000
}

check "nested-tags" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  tags    = { ports = [80, 443] }
}

check "null" {
  command  = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  interval = null
}

check "host-list" {
  host    = ["web1"]
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

check "hosts-string" {
  hosts   = "web1"
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

check "host-tags-list" {
  host_tags = ["role=web"]
  command   = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

check "template-list" {
  template = ["fast"]
  command  = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

check "type-error" {
  command = ["/usr/lib/nagios/plugins/check_dummy", 1 + "x"]
}
