# Converted by vakt import nagios from hosts.cfg.

# host template "base-host", hosts.cfg:1
template "host:base-host" {
  interval       = "1m"
  retry_interval = "30s"
  max_attempts   = 5
  # contact_groups admins (hosts.cfg:7): vakt has no notification settings in HCL yet (the notification issue adds them)
}

# host template "web-host", hosts.cfg:11
template "host:web-host" {
  template = "host:base-host"
  # notification_interval 0 (hosts.cfg:15): vakt has no notification settings in HCL yet (the notification issue adds them)
}

# host template "db-host", hosts.cfg:18
template "host:db-host" {
  max_attempts = 8
}

# host "router", hosts.cfg:24
host "router" {
  address = "192.0.2.1"
  tags    = { "_COMMUNITY" = "public", "alias" = "Core router" }
}
# the host check of "router"
check "host" {
  host     = "router"
  template = "host:base-host"
  command  = ["/usr/lib/nagios/plugins/check_ping", "-H", "${host.address}", "-w", "3000.0,80%", "-c", "5000.0,100%", "-p", "5"]
  timeout  = "20s" # host_check_timeout
  tags     = { host_alive = "true" }
}

# host "web1", hosts.cfg:30
host "web1" {
  address = "192.0.2.11"
  parent  = "router"
  tags    = { "_COMMUNITY" = "public", "alias" = "web1", "hostgroup:all-servers" = "true", "hostgroup:not-the-router" = "true", "hostgroup:web" = "true" }
}
# the host check of "web1"
check "host" {
  host     = "web1"
  template = "host:web-host"
  command  = ["/usr/lib/nagios/plugins/check_ping", "-H", "${host.address}", "-w", "3000.0,80%", "-c", "5000.0,100%", "-p", "5"]
  timeout  = "20s" # host_check_timeout
  tags     = { host_alive = "true" }
}

# host "web2", hosts.cfg:36
host "web2" {
  address = "192.0.2.12"
  parent  = "router"
  # parents router,web1 (hosts.cfg:39): vakt has one parent per host; not converted: web1
  tags = { "_COMMUNITY" = "private", "alias" = "web2", "hostgroup:all-servers" = "true", "hostgroup:not-the-router" = "true", "hostgroup:web" = "true" }
  # contact_groups +dba (hosts.cfg:41): vakt has no notification settings in HCL yet (the notification issue adds them)
}
# the host check of "web2"
check "host" {
  host     = "web2"
  template = "host:web-host"
  command  = ["/usr/lib/nagios/plugins/check_ping", "-H", "${host.address}", "-w", "3000.0,80%", "-c", "5000.0,100%", "-p", "5"]
  timeout  = "20s" # host_check_timeout
  tags     = { host_alive = "true" }
}

# host "db1", hosts.cfg:44
host "db1" {
  address = "192.0.2.21"
  tags    = { "_COMMUNITY" = "", "alias" = "db1", "hostgroup:all-servers" = "true", "hostgroup:backup" = "true", "hostgroup:db" = "true", "hostgroup:not-the-router" = "true" }
}

# hostgroup "web" (hosts.cfg:51) became the tag "hostgroup:web" = "true" on its 2 hosts.

# hostgroup "db" (hosts.cfg:55) became the tag "hostgroup:db" = "true" on its 1 hosts.

# hostgroup "backup" (hosts.cfg:59) became the tag "hostgroup:backup" = "true" on its 1 hosts.

# hostgroup "not-the-router" (hosts.cfg:62) became the tag "hostgroup:not-the-router" = "true" on its 3 hosts.

# hostgroup "all-servers" (hosts.cfg:66) became the tag "hostgroup:all-servers" = "true" on its 3 hosts.
