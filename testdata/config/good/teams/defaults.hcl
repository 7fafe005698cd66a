# The defaults of the whole teams tree.
defaults {
  interval = "2m"
  tags     = { org = "acme", team = "ops" }
}

check "ntp" {
  command = ["/usr/lib/nagios/plugins/check_ntp_time", "-H", "pool.ntp.org"]
}
