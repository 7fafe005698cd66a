# Hosts: an address defaults to the host's name; tags are strings (numbers
# become strings); parents form a chain. No check runs on localhost here, so
# there is no implicit localhost either.

host "router1" {
  address = "192.0.2.1"
}

host "switch1" {
  parent = "router1"
  tags   = { rack = "a1" }
}

host "db1.example.com" {
  parent = "switch1"
  tags   = { role = "db", tier = 2 }
}

check "ping" {
  hosts   = ["router1", "switch1", "db1.example.com"]
  command = ["/usr/lib/nagios/plugins/check_ping", "-H", host.address, "-w", "100,20%", "-c", "500,60%"]
}
