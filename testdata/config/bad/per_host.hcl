# Errors that depend on the host name the host.
host "app1" {
  tags = { port = 8080, interval = "1m" }
}
host "app2" {
  tags = { interval = "1 minute" }
}

template "tcp" {
  command  = ["/usr/lib/nagios/plugins/check_tcp", "-H", host.address, "-p", host.tags.port]
  interval = host.tags.interval
}

check "app" {
  template = "tcp"
  hosts    = ["app1", "app2"]
}
