check {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

host "web1" "web2" {}

defaults "team" {
  interval = "1m"
}

variable {
  default = 1
}
