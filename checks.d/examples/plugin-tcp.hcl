# plugin "tcp": vakt's built-in TCP check (plugins/tcp/README.md), here of a
# port this machine listens on: VAKT_LOCAL_TCP_PORT (make run names vakt's
# own HTTP API), else 8484, where a refused connection is OK (refuse), so
# that the pack passes on a machine where nothing listens. send/expect, TLS
# and certificate days are in the README.

check "example-plugin-tcp" {
  plugin = "tcp"
  config {
    host          = "127.0.0.1"
    port          = env("VAKT_LOCAL_TCP_PORT", "8484")
    refuse        = env("VAKT_LOCAL_TCP_PORT", "") == "" ? "ok" : "critical"
    time_warning  = "1" # seconds
    time_critical = "5"
    timeout       = "10s"
  }
}
