# plugin "tcp": vakt's built-in TCP check (plugins/tcp/README.md), here of a
# port this machine listens on: 22 (sshd) unless VAKT_LOCAL_TCP_PORT names
# another. send/expect, TLS and certificate days are in the README.

check "example-plugin-tcp" {
  plugin = "tcp"
  config {
    host          = "127.0.0.1"
    port          = env("VAKT_LOCAL_TCP_PORT", "22")
    time_warning  = "1" # seconds
    time_critical = "5"
    timeout       = "10s"
  }
}
