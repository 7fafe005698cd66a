check "units" {
  command        = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  interval       = "5x"
  retry_interval = "5M"
  timeout        = "30 s"
}

check "numbers" {
  command        = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  interval       = 300
  retry_interval = true
  timeout        = ["30s"]
}

check "too-short" {
  command        = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  interval       = "0s"
  retry_interval = "-1m"
  timeout        = "500ms"
}

check "days" {
  command        = ["/usr/lib/nagios/plugins/check_dummy", "0"]
  interval       = "1d-2h"
  retry_interval = "99999d"
  timeout        = "d"
}
