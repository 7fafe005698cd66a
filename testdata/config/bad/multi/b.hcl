check "ssh" {
  host    = "web1"
  command = ["/usr/lib/nagios/plugins/check_ssh", host.address]
}

check "http" {
  host     = "web9"
  command  = ["/usr/lib/nagios/plugins/check_http", "-H", host.address]
  interval = "5 minutes"
}

check "empty" {
  command = []
}

check "retried" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  retries = 3
}
