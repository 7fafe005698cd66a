# Converted by vakt import nagios from objects/switch.cfg.

# host "linksys-srw224p", objects/switch.cfg:20
host "linksys-srw224p" {
  address = "192.168.1.253"
  tags    = { "alias" = "Linksys SRW224P Switch", "hostgroup:switches" = "true" }
}
# the host check of "linksys-srw224p"
check "host" {
  host     = "linksys-srw224p"
  template = "host:generic-switch"
  command  = ["/usr/lib/nagios/plugins/check_ping", "-H", "${host.address}", "-w", "5000,100%", "-c", "5000,100%", "-p", "1"]
  timeout  = "30s" # host_check_timeout
  tags     = { host_alive = "true" }
}

# hostgroup "switches" (objects/switch.cfg:39) became the tag "hostgroup:switches" = "true" on its 1 hosts.

# service "PING", objects/switch.cfg:55
check "PING" {
  template       = "generic-service"
  host           = "linksys-srw224p"
  command        = ["/usr/lib/nagios/plugins/check_ping", "-H", "${host.address}", "-w", "200.0,20%", "-c", "600.0,60%"]
  interval       = "5m"
  retry_interval = "1m"
}

# service "Uptime", objects/switch.cfg:69
check "Uptime" {
  template = "generic-service"
  host     = "linksys-srw224p"
  command  = ["/usr/lib/nagios/plugins/check_snmp", "-H", "${host.address}", "-C", "public", "-o", "sysUpTime.0"]
}

# service "Port 1 Link Status", objects/switch.cfg:81
check "Port 1 Link Status" {
  template = "generic-service"
  host     = "linksys-srw224p"
  command  = ["/usr/lib/nagios/plugins/check_snmp", "-H", "${host.address}", "-C", "public", "-o", "ifOperStatus.1", "-r", "1", "-m", "RFC1213-MIB"]
}

# service "Port 1 Bandwidth Usage", objects/switch.cfg:93
check "Port 1 Bandwidth Usage" {
  template = "generic-service"
  host     = "linksys-srw224p"
  command  = ["/usr/lib/nagios/plugins/check_mrtgtraf", "-F", "/var/lib/mrtg/192.168.1.253_1.log", "-a", "AVG", "-w", "1000000,1000000", "-c", "5000000,5000000", "-e", "10"]
}
