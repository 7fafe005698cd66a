host "web1" {
  tags = { role = "web" }
}
host "web2" {
  tags = { role = "web" }
}

check "no-tags" {
  host_tags = {}
  command   = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

check "no-hosts" {
  hosts   = []
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

check "twice" {
  hosts   = ["web1", "web2", "web1", "localhost", "web3"]
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

# Matches nothing: a warning only.
check "db" {
  host_tags = { role = "db" }
  command   = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

check "both" {
  hosts     = ["web1"]
  host_tags = { role = "web" }
  host      = "web2"
  command   = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

check "http" {
  host    = "web2"
  command = ["/usr/lib/nagios/plugins/check_http", "-H", host.address]
}
# web2 has this check already.
check "http" {
  host_tags = { role = "web" }
  command   = ["/usr/lib/nagios/plugins/check_http", "-H", host.address]
}
