# Converted by vakt import nagios from objects/printer.cfg.

# host "hplj2605dn", objects/printer.cfg:21
host "hplj2605dn" {
  address = "192.168.1.30"
  tags    = { "alias" = "HP LaserJet 2605dn", "hostgroup:network-printers" = "true" }
}
# the host check of "hplj2605dn"
check "host" {
  host     = "hplj2605dn"
  template = "host:generic-printer"
  command  = ["/usr/lib/nagios/plugins/check_ping", "-H", "${host.address}", "-w", "5000,100%", "-c", "5000,100%", "-p", "1"]
  timeout  = "30s" # host_check_timeout
  tags     = { host_alive = "true" }
}

# hostgroup "network-printers" (objects/printer.cfg:40) became the tag "hostgroup:network-printers" = "true" on its 1 hosts.

# service "Printer Status", objects/printer.cfg:59
# not converted: its command "check_hpjd" is not defined (objects/printer.cfg:59)
#   define service {
#
#       use                     generic-service         ; Inherit values from a template
#       host_name               hplj2605dn              ; The name of the host the service is associated with
#       service_description     Printer Status          ; The service description
#       check_command           check_hpjd!-C public    ; The command used to monitor the service
#       check_interval          10                      ; Check the service every 10 minutes under normal conditions
#       retry_interval          1                       ; Re-check the service every minute until its final/hard state is determined
#   }

# service "PING", objects/printer.cfg:74
check "PING" {
  template       = "generic-service"
  host           = "hplj2605dn"
  command        = ["/usr/lib/nagios/plugins/check_ping", "-H", "${host.address}", "-w", "3000.0,80%", "-c", "5000.0,100%"]
  interval       = "10m"
  retry_interval = "1m"
}
