# Sends each notification as a text and HTML mail through an SMTP server.
notifier "mail" {
  plugin = "email"

  config {
    ## The SMTP server's name or address.
    host = "smtp.example.com"

    ## The SMTP server's port. 0 picks 587 for starttls, 465 for tls and
    ## 25 for none.
    # port = 0

    ## starttls: plain connection upgraded with STARTTLS (required: a
    ## server that does not offer it is an error, never plain text);
    ## tls: implicit TLS from the start (SMTPS); none: no TLS at all.
    # tls = "starttls"

    ## Accept any server certificate.
    # tls_insecure = false

    ## Trust the certificate authorities in this PEM file instead of the
    ## system's.
    # ca_file = "/etc/vakt/ca.pem"

    ## Authenticate with AUTH PLAIN or LOGIN (needs TLS).
    username = "vakt@example.com"
    password = "secret"
    # auth     = "plain"

    ## The sender. Its domain ends the Message-IDs.
    from = "vakt <vakt@example.com>"

    ## Addresses used when a notification names no recipient.
    # to = ["oncall@example.com"]

    ## The subject, a Go text/template over the notification: .Type
    ## (PROBLEM, RECOVERY, ...), .State, .Check, .Host, .Output, .Time,
    ## .AckURL, .ProblemID, .Extra, .ID.
    # subject = "[vakt] {{.Type}}: {{.Check}} on {{.Host}} is {{.State}}"

    ## The plain text body, a Go text/template (see README.md for the
    ## default).
    # text_template = "{{.Type}}: {{.Check}} on {{.Host}} is {{.State}}\n\n{{.Output}}\n"

    ## The HTML body, a Go html/template; "" sends the text alone.
    # html_template = "<p>{{.Type}}: {{.Check}} on {{.Host}} is {{.State}}</p><p>{{.Output}}</p>"

    ## The name to greet the server with. Default: this machine's host
    ## name.
    # helo_name = "monitor1.example.com"

    ## How long the whole exchange with the server may take.
    # timeout = "30s"
  }
}
