host "web 1" {}
host "web/1" {}
host "" {}

variable "1st" {
  default = 1
}
variable "a.b" {
  default = 1
}

template "" {
  interval = "1m"
}

check " padded" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}
check "" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}
check "tab	inside" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}
