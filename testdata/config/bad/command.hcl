check "empty" {
  command = []
}

check "empty-program" {
  command = ["", "-w", "1"]
}

check "blank-shell" {
  shell   = true
  command = "  "
}

check "both" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  plugin  = "dummy"
}

check "neither" {
  interval = "1m"
}

check "string-without-shell" {
  command = "/usr/lib/nagios/plugins/check_disk -w 10% -c 5%"
}

check "list-with-shell" {
  shell   = true
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

check "config-with-command" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  config {
    url = "http://127.0.0.1/"
  }
}

check "shell-with-plugin" {
  shell  = true
  plugin = "http"
}

check "null-argument" {
  command = ["/usr/lib/nagios/plugins/check_dummy", null]
}

check "list-argument" {
  command = ["/usr/lib/nagios/plugins/check_dummy", ["0"]]
}

check "bad-plugin-name" {
  plugin = "../../bin/sh"
}

check "two-configs" {
  plugin = "http"
  config {
    url = "http://127.0.0.1/"
  }
  config {
    url = "http://127.0.0.2/"
  }
}
