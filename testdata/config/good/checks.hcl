# Checks: one with only a command gets every default and runs on the
# implicit localhost; one sets every attribute.

check "load" {
  command = ["/usr/lib/nagios/plugins/check_load", "-w", "5,4,3", "-c", "10,8,6"]
}

check "disk-root" {
  host           = "localhost"
  command        = ["/usr/lib/nagios/plugins/check_disk", "-w", "10%", "-c", "5%", "-p", "/"]
  interval       = "10m"
  retry_interval = "2m"
  max_attempts   = 5
  timeout        = "30s"
  timeout_state  = "unknown"
  unknown_as     = "warning"
  output_limit   = 4096
  shell          = false
  tags           = { kind = "disk", mount = "/" }
}

# Names may have spaces and slashes, as Nagios service descriptions do.
check "Disk usage /var" {
  command       = ["/usr/lib/nagios/plugins/check_disk", "-w", "10%", "-c", "5%", "-p", "/var"]
  timeout_state = "OK"
  unknown_as    = "ok"
}
