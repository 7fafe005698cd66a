# Names are shared by all files: declaring them again here is an error too.
host "web1" {}

check "ssh" {
  host    = "web1"
  command = ["/usr/lib/nagios/plugins/check_ssh", "-p", "2222", host.address]
}

check "slow" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  timeout = 10
}

# A cycle of parents across two hosts.
host "router1" {
  parent = "switch1"
}

host "switch1" {
  parent = "router1"
}
