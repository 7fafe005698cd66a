# Pings a host and checks the packet loss and round-trip average, as
# check_ping does.
check "ping" {
  plugin = "ping"

  config {
    ## The host to ping, a name or an address. Default: the check's host
    ## address.
    host = "127.0.0.1"

    ## Echo requests to send, 1 to 1000.
    # count = 5

    ## Time between two requests, at least 10ms.
    # interval = "1s"

    ## How long the whole ping may take; replies not back by then are lost.
    # timeout = "10s"

    ## "true": raw ICMP sockets (root or CAP_NET_RAW); "false": unprivileged
    ## ICMP datagram sockets (sysctl net.ipv4.ping_group_range); "auto": raw,
    ## else unprivileged.
    # privileged = "auto"

    ## Round-trip average in milliseconds, as Nagios ranges: "100" warns
    ## above 100 ms.
    # rta_warning  = "100"
    # rta_critical = "500"

    ## Packet loss in percent, as Nagios ranges: "20" warns above 20%.
    # pl_warning  = "20"
    # pl_critical = "60"
  }
}
