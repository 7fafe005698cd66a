variable "port" {
  default = 80
}
variable "port" {
  default = 81
}

host "web1" {}
host "web1" {
  address = "192.0.2.1"
}

template "fast" {
  interval = "30s"
}
template "fast" {
  interval = "10s"
}

defaults {
  interval = "2m"
}
defaults {
  interval = "3m"
}

check "ssh" {
  host    = "web1"
  command = ["/usr/lib/nagios/plugins/check_ssh", host.address]
}
# The same name on the same host, made by a hosts list.
check "ssh" {
  hosts   = ["web1"]
  command = ["/usr/lib/nagios/plugins/check_ssh", "-p", "2222", host.address]
}
# The same name on another host is fine.
check "ssh" {
  command = ["/usr/lib/nagios/plugins/check_ssh", host.address]
}
