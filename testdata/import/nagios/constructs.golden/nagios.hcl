# Converted by vakt import nagios from nagios.cfg.

defaults {
  timeout       = "1m30s"   # service_check_timeout, nagios.cfg:8
  timeout_state = "unknown" # service_check_timeout_state, nagios.cfg:9
}
