# Looks a name up and compares the answers with the expected ones, as
# check_dns does.
check "dns" {
  plugin = "dns"

  config {
    ## The name to look up; for PTR, an IP address. Required.
    name = "localhost"

    ## The record type: A, AAAA, CNAME, MX, TXT, NS, PTR or SRV.
    # type = "A"

    ## The answers expected, compared as a set (order and repeats do not
    ## matter); CRITICAL when they differ. Default: any answer is OK.
    ## A/AAAA: addresses; CNAME/NS/PTR: names; MX: "10 mail.example.com";
    ## SRV: "10 5 5060 sip.example.com"; TXT: the text.
    expect = ["127.0.0.1"]

    ## The DNS server to ask: an IP address with an optional port.
    ## Default: the system's resolver (/etc/hosts, then DNS).
    # resolver = "127.0.0.1:53"

    ## Response time in seconds, as Nagios ranges: "0.5" warns above half a
    ## second.
    # time_warning  = "0.5"
    # time_critical = "2"

    ## How long to wait for the answer.
    # timeout = "10s"
  }
}
