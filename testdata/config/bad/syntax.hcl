# A syntax error: a missing "=" and an unclosed block.
host "web1" {
  address "192.0.2.1"
}

check "load" {
  command = ["/usr/lib/nagios/plugins/check_load", "-w", "5,4,3", "-c", "10,8,6"]
