# Sends each notification as a text message through an HTTP SMS gateway.
notifier "oncall-sms" {
  plugin = "sms"

  config {
    ## The gateway's http or https URL.
    url = "https://sms.example.com/api/send"

    ## The request method. With GET the fields go in the query.
    # method = "POST"

    ## Headers to send, e.g. the gateway's credentials.
    headers = { Authorization = "Bearer 0123456789" }

    ## How the fields are sent: form (application/x-www-form-urlencoded)
    ## or json (an object of strings).
    # format = "form"

    ## The body's fields, each a Go text/template. {{.To}} is the phone
    ## number, {{.ToName}} the recipient's name, {{.Message}} the message.
    # fields = { to = "{{.To}}", text = "{{.Message}}" }

    ## The message, a Go text/template over the notification: .Type
    ## (PROBLEM, RECOVERY, ...), .State, .Check, .Host, .Output, .AckURL...
    # message = "{{.Type}} {{.State}} {{.Check}}@{{.Host}}{{with .AckURL}} ack: {{.}}{{end}} - {{.Output}}"

    ## The most characters a message may have: 160 is one SMS in GSM-7.
    # max_length = 160

    ## A longer message is truncated to end in "..." (truncate) or sent
    ## as numbered parts "1/2 ...", "2/2 ..." (split).
    # long_messages = "truncate"

    ## Phone numbers used when a notification names no recipient.
    # to = ["+4712345678"]

    ## How long each request may take.
    # timeout = "10s"
  }
}
