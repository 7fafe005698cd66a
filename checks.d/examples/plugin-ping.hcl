# plugin "ping": vakt's built-in ping check (plugins/ping/README.md), here of
# this machine's loopback address. It uses raw ICMP sockets when vakt runs as
# root, else unprivileged ICMP sockets (sysctl net.ipv4.ping_group_range).
# Without host it pings the check's host address.

check "example-plugin-ping" {
  plugin = "ping"
  config {
    host         = "127.0.0.1"
    count        = 3
    interval     = "200ms"
    rta_warning  = "100" # ms
    rta_critical = "500"
    pl_warning   = "20" # percent
    pl_critical  = "60"
  }
}
