# Connects to a TCP port, optionally over TLS, optionally sends a string and
# expects one in the response, as check_tcp does.
check "tcp" {
  plugin = "tcp"

  config {
    ## The host to connect to. Default: the check's host address.
    # host = "127.0.0.1"

    ## The TCP port, 1 to 65535. Required.
    port = 22

    ## A string to send once connected (after the TLS handshake).
    # send = "PING\r\n"

    ## A string the response must contain.
    # expect = "SSH-"

    ## A regular expression (Go RE2 syntax) the response must match. With
    ## expect as well, both must match.
    # expect_regexp = "^SSH-2\\.0-"

    ## The state when the response does not match: ok, warning, critical or
    ## unknown. check_tcp's default is warning.
    # expect_mismatch = "warning"

    ## A string to send before closing the connection.
    # quit = "QUIT\r\n"

    ## Read at most this many bytes of the response.
    # max_bytes = 4096

    ## The state when the connection is refused.
    # refuse = "critical"

    ## Connect with TLS; the certificate is verified. Default: false.
    # tls = true

    ## The name the certificate must be valid for. Default: host.
    # tls_server_name = "localhost"

    ## Accept any certificate; its days left are still checked.
    # tls_insecure = false

    ## Trust the certificate authorities in this PEM file instead of the
    ## system's.
    # ca_file = "/etc/vakt/ca.pem"

    ## Days left on the certificate, as Nagios ranges: "30:" warns when fewer
    ## than 30 days are left.
    # cert_warning  = "30:"
    # cert_critical = "7:"

    ## Response time in seconds, as Nagios ranges: "1" warns above 1 second.
    # time_warning  = "1"
    # time_critical = "5"

    ## How long to wait for the connection and the response.
    # timeout = "10s"
  }
}
