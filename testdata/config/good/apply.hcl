# One check block, one check per host: by a hosts list (in its order) or by
# host_tags (every host with all the tags, by name).

host "web1" {
  tags = { role = "web", env = "prod" }
}

host "web2" {
  address = "192.0.2.22"
  tags    = { role = "web", env = "test" }
}

host "db1" {
  tags = { role = "db", env = "prod" }
}

check "http" {
  host_tags = { role = "web" }
  command   = ["/usr/lib/nagios/plugins/check_http", "-H", host.address, "-u", "/health"]
}

check "prod-ssh" {
  host_tags = { env = "prod" }
  command   = ["/usr/lib/nagios/plugins/check_ssh", host.address]
  tags      = { env = host.tags.env }
}

check "ping" {
  hosts   = ["web2", "db1"]
  command = ["/usr/lib/nagios/plugins/check_ping", "-H", host.address, "-w", "100,20%", "-c", "500,60%"]
}
