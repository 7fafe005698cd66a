# Converted by vakt import nagios from conf.d/services.cfg.

# service template "base-service", conf.d/services.cfg:1
template "base-service" {
  interval     = "5m"
  max_attempts = 4
  # check_period 24x7 (conf.d/services.cfg:5): vakt has no time periods in HCL yet; it checks around the clock
  # notification_options w,c,r (conf.d/services.cfg:6): vakt has no notification settings in HCL yet (the notification issue adds them)
}

# service template "fast-service", conf.d/services.cfg:9
template "fast-service" {
  interval       = "30s"
  retry_interval = "30s"
}

# service "Ping!", conf.d/services.cfg:15
check "Ping!" {
  template = "base-service"
  # use base-service,fast-service (conf.d/services.cfg:16): what fast-service set is written here, unless base-service sets it
  host           = "router"
  command        = ["/usr/lib/nagios/plugins/check_dummy", "0", "ok ! all fine"]
  retry_interval = "30s"
}

# service "HTTP", conf.d/services.cfg:21
check "HTTP" {
  template = "base-service"
  host     = "web1"
  command  = ["/usr/lib/nagios/plugins/check_tcp", "-H", "${host.address}", "-p", "80"]
  tags     = { "servicegroup:frontend" = "true" }
}

# service "HTTP", conf.d/services.cfg:28
check "HTTP" {
  template = "base-service"
  host     = "web2"
  command  = ["/usr/lib/nagios/plugins/check_tcp", "-H", "${host.address}", "-p", "8080", "-w", "2"]
}

# service "Description", conf.d/services.cfg:34
check "Description" {
  template = "base-service"
  hosts    = ["web2", "db1"]
  command  = ["/usr/lib/nagios/plugins/check_dummy", "0", "Description on ${host.tags["alias"]} (${host.name})"]
  interval = "5m"
}

# service "SNMP", conf.d/services.cfg:42
check "SNMP" {
  template = "base-service"
  hosts    = ["router", "web1", "web2", "db1"]
  command  = ["/usr/lib/nagios/plugins/check_snmp", "-H", "${host.address}", "-C", "${host.tags["_COMMUNITY"]}", "-o", ".1.3.6.1.2.1.1.3.0", "-P", "s3cret"]
  tags     = { "_OID" = ".1.3.6.1.2.1.1.3.0" }
}

# service "Pipe", conf.d/services.cfg:49
check "Pipe" {
  host         = "db1"
  shell        = true
  command      = "/bin/echo \"load $HOME\" | /usr/bin/grep -q load && echo OK"
  max_attempts = 100
}

# service "Passive", conf.d/services.cfg:55
# not converted: active_checks_enabled is 0: Nagios only accepts passive results for it (conf.d/services.cfg:55)
#   define service {
#       host_name               db1
#       service_description     Passive
#       check_command           check_dummy!0
#       active_checks_enabled   0
#   }

# service "State", conf.d/services.cfg:61
check "State" {
  host    = "db1"
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", "$SERVICESTATE$"]
}

# conf.d/services.cfg:66: not converted: service groups are tags "servicegroup:NAME" on the checks that name them in servicegroups; members lists are not converted
#   define servicegroup {
#       servicegroup_name       frontend
#       members                 web1,HTTP
#   }
