# Converted by vakt import nagios from objects/windows.cfg.

# host "winserver", objects/windows.cfg:21
host "winserver" {
  address = "192.168.1.2"
  tags    = { "alias" = "My Windows Server", "hostgroup:windows-servers" = "true" }
}
# the host check of "winserver"
check "host" {
  host     = "winserver"
  template = "host:windows-server"
  command  = ["/usr/lib/nagios/plugins/check_ping", "-H", "${host.address}", "-w", "5000,100%", "-c", "5000,100%", "-p", "1"]
  timeout  = "30s" # host_check_timeout
  tags     = { host_alive = "true" }
}

# hostgroup "windows-servers" (objects/windows.cfg:40) became the tag "hostgroup:windows-servers" = "true" on its 1 hosts.

# service "NSClient++ Version", objects/windows.cfg:57
# not converted: its command "check_nt" is not defined (objects/windows.cfg:57)
#   define service {
#
#       use                     generic-service
#       host_name               winserver
#       service_description     NSClient++ Version
#       check_command           check_nt!CLIENTVERSION
#   }

# service "Uptime", objects/windows.cfg:70
# not converted: its command "check_nt" is not defined (objects/windows.cfg:70)
#   define service {
#
#       use                     generic-service
#       host_name               winserver
#       service_description     Uptime
#       check_command           check_nt!UPTIME
#   }

# service "CPU Load", objects/windows.cfg:83
# not converted: its command "check_nt" is not defined (objects/windows.cfg:83)
#   define service {
#
#       use                     generic-service
#       host_name               winserver
#       service_description     CPU Load
#       check_command           check_nt!CPULOAD!-l 5,80,90
#   }

# service "Memory Usage", objects/windows.cfg:96
# not converted: its command "check_nt" is not defined (objects/windows.cfg:96)
#   define service {
#
#       use                     generic-service
#       host_name               winserver
#       service_description     Memory Usage
#       check_command           check_nt!MEMUSE!-w 80 -c 90
#   }

# service "C:\\ Drive Space", objects/windows.cfg:109
# not converted: its command "check_nt" is not defined (objects/windows.cfg:109)
#   define service {
#
#       use                     generic-service
#       host_name               winserver
#       service_description     C:\ Drive Space
#       check_command           check_nt!USEDDISKSPACE!-l c -w 80 -c 90
#   }

# service "W3SVC", objects/windows.cfg:122
# not converted: its command "check_nt" is not defined (objects/windows.cfg:122)
#   define service {
#
#       use                     generic-service
#       host_name               winserver
#       service_description     W3SVC
#       check_command           check_nt!SERVICESTATE!-d SHOWALL -l W3SVC
#   }

# service "Explorer", objects/windows.cfg:135
# not converted: its command "check_nt" is not defined (objects/windows.cfg:135)
#   define service {
#
#       use                     generic-service
#       host_name               winserver
#       service_description     Explorer
#       check_command           check_nt!PROCSTATE!-d SHOWALL -l Explorer.exe
#   }
