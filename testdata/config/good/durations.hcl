# Durations: Go's syntax, plus whole days in front.

check "daily" {
  command        = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  interval       = "1d"
  retry_interval = "1h30m"
  timeout        = "90s"
}

check "odd" {
  command        = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  interval       = "2d12h"
  retry_interval = "1.5h"
  timeout        = "1m30s"
}
