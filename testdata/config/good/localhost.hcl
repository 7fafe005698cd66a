# A declared localhost replaces the implicit one.

host "localhost" {
  address = "::1"
  tags    = { site = "lab" }
}

check "users" {
  command = ["/usr/lib/nagios/plugins/check_users", "-w", "20", "-c", "50"]
}

check "ssh" {
  command = ["/usr/lib/nagios/plugins/check_ssh", "-H", host.address]
  tags    = { site = host.tags.site }
}
