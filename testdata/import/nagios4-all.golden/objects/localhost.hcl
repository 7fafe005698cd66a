# Converted by vakt import nagios from objects/localhost.cfg.

# host "localhost", objects/localhost.cfg:21
host "localhost" {
  address = "127.0.0.1"
  tags    = { "alias" = "localhost", "hostgroup:linux-servers" = "true" }
}
# the host check of "localhost"
check "host" {
  host     = "localhost"
  template = "host:linux-server"
  command  = ["/usr/lib/nagios/plugins/check_ping", "-H", "${host.address}", "-w", "5000,100%", "-c", "5000,100%", "-p", "1"]
  timeout  = "30s" # host_check_timeout
  tags     = { host_alive = "true" }
}

# hostgroup "linux-servers" (objects/localhost.cfg:41) became the tag "hostgroup:linux-servers" = "true" on its 1 hosts.

# service "PING", objects/localhost.cfg:58
check "PING" {
  template = "local-service"
  host     = "localhost"
  command  = ["/usr/lib/nagios/plugins/check_ping", "-H", "${host.address}", "-w", "100.0,20%", "-c", "500.0,60%"]
}

# service "Root Partition", objects/localhost.cfg:72
check "Root Partition" {
  template = "local-service"
  host     = "localhost"
  command  = ["/usr/lib/nagios/plugins/check_disk", "-w", "20%", "-c", "10%", "-p", "/"]
}

# service "Current Users", objects/localhost.cfg:86
check "Current Users" {
  template = "local-service"
  host     = "localhost"
  command  = ["/usr/lib/nagios/plugins/check_users", "-w", "20", "-c", "50"]
}

# service "Total Processes", objects/localhost.cfg:100
check "Total Processes" {
  template = "local-service"
  host     = "localhost"
  command  = ["/usr/lib/nagios/plugins/check_procs", "-w", "250", "-c", "400", "-s", "RSZDT"]
}

# service "Current Load", objects/localhost.cfg:112
check "Current Load" {
  template = "local-service"
  host     = "localhost"
  command  = ["/usr/lib/nagios/plugins/check_load", "-w", "5.0,4.0,3.0", "-c", "10.0,6.0,4.0"]
}

# service "Swap Usage", objects/localhost.cfg:125
check "Swap Usage" {
  template = "local-service"
  host     = "localhost"
  command  = ["/usr/lib/nagios/plugins/check_swap", "-w", "20%", "-c", "10%"]
}

# service "SSH", objects/localhost.cfg:138
check "SSH" {
  template = "local-service"
  host     = "localhost"
  command  = ["/usr/lib/nagios/plugins/check_ssh", "${host.address}"]
  # notifications_enabled 0 (objects/localhost.cfg:144): vakt has no notification settings in HCL yet (the notification issue adds them)
}

# service "HTTP", objects/localhost.cfg:152
check "HTTP" {
  template = "local-service"
  host     = "localhost"
  command  = ["/usr/lib/nagios/plugins/check_http", "-H", "${host.address}", "-I", "${host.address}", ""]
  # notifications_enabled 0 (objects/localhost.cfg:158): vakt has no notification settings in HCL yet (the notification issue adds them)
}
