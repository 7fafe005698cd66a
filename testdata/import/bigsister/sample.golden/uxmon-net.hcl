# Converted by vakt import bigsister from uxmon-net.

# host "localhost", uxmon-net:9
host "localhost" {
  address = "127.0.0.1"
  tags    = { "features" = "unix,linux,debian" } # DESCR, uxmon-net:7
}

# localhost ping, uxmon-net:9
check "ping" {
  host     = "localhost"
  plugin   = "ping"
  interval = "5m"
}

# localhost proc=sshd procs, uxmon-net:10
check "procs sshd" {
  host     = "localhost"
  plugin   = "procs"
  interval = "5m"
  config {
    name     = "sshd"
    critical = "1:"
  }
}

# localhost proc=cron min=1 max=2 procs, uxmon-net:11
check "procs cron" {
  host     = "localhost"
  plugin   = "procs"
  interval = "5m"
  config {
    name     = "cron"
    critical = "1:2"
  }
}

# localhost yellow=3 red=8 load, uxmon-net:12
check "load" {
  host     = "localhost"
  plugin   = "load"
  interval = "5m"
  config {
    warning  = ["3"]
    critical = ["8"]
  }
}

# localhost yellow=80 red=90 memory, uxmon-net:13
check "memory" {
  host     = "localhost"
  plugin   = "memory"
  interval = "5m"
  config {
    warning  = "80"
    critical = "90"
  }
}

# localhost fs=/,/var yellow=90 red=95 diskfree, uxmon-net:14
check "diskfree" {
  host     = "localhost"
  plugin   = "disk"
  interval = "5m"
  config {
    mounts   = ["/", "/var"]
    warning  = "90"
    critical = "95"
  }
}

# localhost frequency=1 service=ssh tcp port=8484 item=vakt-api tcp, uxmon-net:15
check "ssh" {
  host     = "localhost"
  plugin   = "tcp"
  interval = "1m"
  config {
    port = 22
  }
}

# localhost frequency=1 service=ssh tcp port=8484 item=vakt-api tcp, uxmon-net:15
check "vakt-api" {
  host     = "localhost"
  plugin   = "tcp"
  interval = "5m"
  config {
    port = 8484
  }
}

# localhost url=http://localhost:8484/healthz http, uxmon-net:16
check "http" {
  host     = "localhost"
  plugin   = "http"
  interval = "5m"
  config {
    url = "http://localhost:8484/healthz"
  }
}

# localhost exec="/usr/lib/nagios/plugins/check_dummy 1 'stratum 16'" time=10      results="0:green:ntp OK;stratum 16:yellow:ntp running but not synchronized;timeout:red:ntp not running;*:red:ntp FAILURE"      item=ntp command, uxmon-net:18
check "ntp" {
  host          = "localhost"
  command       = ["/usr/lib/nagios/plugins/check_dummy", "1", "stratum 16"]
  interval      = "5m"
  timeout       = "10s"
  timeout_state = "critical"
  results = [
    { exit_code = 0, state = "ok", text = "ntp OK" },
    { output = "stratum 16", state = "warning", text = "ntp running but not synchronized" },
    { state = "critical", text = "ntp FAILURE" },
  ]
}

# localhost exec=/bin/false item=plain command, uxmon-net:21
check "plain" {
  host     = "localhost"
  command  = ["/bin/false"]
  interval = "5m"
  timeout  = "5s"
  results = [
    { exit_code = 0, state = "ok" },
    { state = "critical" },
  ]
}

# localhost service=telnet !tcp, uxmon-net:22
check "telnet" {
  host     = "localhost"
  command  = ["/usr/lib/nagios/plugins/negate", "/usr/lib/nagios/plugins/check_tcp", "-H", "${host.address}", "-p", "23"]
  interval = "5m"
}

# localhost proc=telnetd !procs, uxmon-net:23
check "procs telnetd" {
  host     = "localhost"
  command  = ["/usr/lib/nagios/plugins/negate", "/usr/lib/nagios/plugins/check_procs", "-C", "telnetd", "-c", "1:"]
  interval = "5m"
}

# localhost exec="test -e /etc/nologin" item=nologin !command, uxmon-net:24
check "nologin" {
  host     = "localhost"
  command  = ["test", "-e", "/etc/nologin"]
  interval = "5m"
  timeout  = "5s"
  results = [
    { exit_code = 0, state = "critical" },
    { state = "ok" },
  ]
}

# localhost exec="/bin/ls /etc | /bin/grep -q passwd" item=pipe command, uxmon-net:25
check "pipe" {
  host     = "localhost"
  shell    = true
  command  = "/bin/ls /etc | /bin/grep -q passwd"
  interval = "5m"
  timeout  = "5s"
  results = [
    { exit_code = 0, state = "ok" },
    { state = "critical" },
  ]
}

# host "www1", uxmon-net:28
host "www1" {
  address = "www1.example.com"
}

# www1.example.com(www1) ping, uxmon-net:28
check "ping" {
  host     = "www1"
  plugin   = "ping"
  interval = "5m"
}

# www1.example.com(www1) service=smtp tcp service=https tcp, uxmon-net:29
check "smtp" {
  host     = "www1"
  plugin   = "tcp"
  interval = "5m"
  config {
    port = 25
  }
}

# www1.example.com(www1) service=smtp tcp service=https tcp, uxmon-net:29
check "https" {
  host     = "www1"
  plugin   = "tcp"
  interval = "5m"
  config {
    port = 443
  }
}
