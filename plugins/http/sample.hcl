# Sends one HTTP(S) request and checks the status code, body, headers,
# response time and certificate, as check_http does.
check "http" {
  plugin = "http"

  config {
    ## The URL to request. Default: http://ADDRESS/ with the check's host
    ## address.
    url = "https://127.0.0.1:8443/health"

    ## The request method.
    # method = "GET"

    ## Headers to send. Host sets the request's host (virtual hosting).
    # request_headers = { Host = "www.example.com", Accept = "text/html" }

    ## The request body, e.g. for POST.
    # request_body = "{\"ping\": true}"

    ## Status codes ("200") or classes ("2xx") that are OK; any other is
    ## CRITICAL. Default: 5xx is CRITICAL, 4xx WARNING, anything else OK.
    # expect_status = ["200", "3xx"]

    ## A regular expression (Go RE2 syntax) the body must match, else
    ## CRITICAL. It sees the first MiB of the body.
    # body_regexp = "\"status\": *\"ok\""

    ## Response headers by name, each with a regular expression its value
    ## must match, else CRITICAL.
    # expect_headers = { Content-Type = "^application/json" }

    ## Redirects to follow; more is CRITICAL. 0 judges the redirect itself
    ## (a 3xx status is OK unless expect_status says otherwise).
    # follow_redirects = 0
    # refuse           = "critical"  # the state when nothing listens (as tcp's refuse)

    ## Response time in seconds (the whole exchange, redirects and body
    ## included), as Nagios ranges: "1" warns above 1 second.
    # time_warning  = "1"
    # time_critical = "5"

    ## Days left on the certificate (https only), as Nagios ranges: "30:"
    ## warns when fewer than 30 days are left.
    cert_warning  = "30:"
    cert_critical = "7:"

    ## Accept any certificate; its days left are still checked.
    # tls_insecure = false

    ## Trust the certificate authorities in this PEM file instead of the
    ## system's.
    # ca_file = "/etc/vakt/ca.pem"

    ## How long the whole exchange may take.
    # timeout = "10s"
  }
}
