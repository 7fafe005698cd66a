service "ssh" {}

interval = "5m"

variable "port" {
  default = 80
  type    = number
}

host "web1" {
  adress = "192.0.2.1"
}

template "fast" {
  intervall = "30s"
}

defaults {
  retries = 3
}

check "ssh" {
  host    = "web1"
  command = ["/usr/lib/nagios/plugins/check_ssh", host.address]
  notify {
    email = "ops@example.com"
  }
  max_check_attempts = 3
}
