# Per-check limits set in HCL, for the `vakt check` end-to-end test:
# timeout, timeout_state and output_limit reach the exec runner.
check "timeout-warning" {
  command       = ["/bin/sleep", "600"]
  timeout       = "1s"
  timeout_state = "warning"
}

check "timeout-default" {
  command = ["/bin/sleep", "600"]
  timeout = "1s"
}

check "output-limit" {
  command      = ["/bin/echo", "OK 123456789"]
  output_limit = 10
}
