# timeout_state: the state of a check that runs past its timeout (its whole
# process group is killed). Nagios makes it critical by default
# (service_check_timeout_state); a slow but harmless probe can time out as
# a warning instead. One of ok, warning, critical, unknown.

check "example-slow-probe" {
  command       = ["/usr/lib/nagios/plugins/check_dummy", "0", "the probe answered in time"]
  timeout       = "10s"
  timeout_state = "warning"
}
