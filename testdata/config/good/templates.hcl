# Templates: a chain of three, overridden by the check; tags merge along it.

template "base" {
  retry_interval = "30s"
  max_attempts   = 5
  tags           = { managed = "vakt", speed = "normal" }
}

template "fast" {
  template = "base"
  interval = "30s"
  tags     = { speed = "fast" }
}

template "tcp" {
  template = "fast"
  command  = ["/usr/lib/nagios/plugins/check_tcp", "-H", host.address, "-p", host.tags.port]
}

host "app1" {
  tags = { port = 8080 }
}

check "app" {
  template = "tcp"
  host     = "app1"
}

check "app-slow" {
  template = "tcp"
  host     = "app1"
  interval = "10m"
  tags     = { speed = "slow" }
}

# plugin in the check replaces the template's command: the two decide
# together. It runs on localhost, since nothing in its chain names a host.
check "app-plugin" {
  template = "tcp"
  plugin   = "tcp"
  config {
    port = 22
  }
}
