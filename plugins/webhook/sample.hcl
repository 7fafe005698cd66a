# POSTs each notification as JSON to a URL, signed with HMAC-SHA256.
notifier "servicedesk" {
  plugin = "webhook"

  config {
    ## The http or https URL to POST to.
    url = "https://desk.example.com/hooks/vakt"

    ## The shared key of the HMAC-SHA256 signature, at least 16
    ## characters. The receiver checks X-Vakt-Signature with it.
    secret = "change-me-to-a-long-random-string"

    ## More headers to send. Content-Type, Host and the X-Vakt-* headers
    ## are set by the plugin.
    # headers = { Authorization = "Bearer 0123456789" }

    ## How long the whole request may take.
    # timeout = "10s"
  }
}
