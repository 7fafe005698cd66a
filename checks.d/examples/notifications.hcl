# Notifications: who is told what, when and how (see "Notifications" in
# `go doc ./core/config`). vakt checks these blocks at load (`vakt validate`)
# and `vakt run` sends through them.
#
# On-call gets an SMS for an error outside office hours and a mail for a
# warning; during office hours the service desk gets a ticket instead. An
# error nobody acknowledges within 15 minutes also goes to the team lead.
#
# This file is in the team folder "examples" (the first folder below
# checks.d), so its routes apply to the checks of checks.d/examples only;
# routes for everyone belong at the top of checks.d.

notifier "example-mail" {
  plugin = "email"
  config {
    host = "localhost"
    port = 1025 # a local mail catcher
    tls  = "none"
    from = "vakt <vakt@example.com>"
  }
}

notifier "example-sms" {
  plugin = "sms"
  config {
    url     = "https://sms.example.com/api/send"
    headers = { Authorization = "Bearer ${env("VAKT_SMS_TOKEN", "change-me")}" }
  }
}

notifier "example-servicedesk" {
  plugin = "webhook"
  config {
    url    = "https://desk.example.com/api/tickets"
    secret = env("VAKT_DESK_SECRET", "change-me-to-a-long-secret")
  }
}

timeperiod "example-office-hours" {
  time_zone = "Europe/Oslo"
  weekdays  = { "monday-friday" = ["08:00-16:00"] }
  dates     = { "december 24" = ["08:00-12:00"] }
  holidays  = ["january 1", "may 1", "may 17", "december 25", "december 26"]
}

contact "example-kari" {
  full_name = "Kari Nordmann"
  email     = "kari@example.com"
  phone     = "+47 912 34 567"
}

contact "example-ola" {
  full_name = "Ola Nordmann"
  email     = "ola@example.com"
  phone     = "+47 987 65 432"
}

contact "example-lead" {
  email = "lead@example.com"
  phone = "+47 900 00 000"
}

team "example-oncall" {
  members = ["example-kari", "example-ola"]
}

# During office hours: one ticket per problem, whatever its level.
route "example-servicedesk" {
  during    = "example-office-hours"
  notifiers = ["example-servicedesk"]
}

# Outside office hours: errors by SMS, every hour while they last, by mail
# when the SMS gateway cannot be reached; the lead is added after 15
# minutes unacknowledged.
route "example-errors" {
  match {
    level = "error"
  }
  not_during = "example-office-hours"
  notifiers  = ["example-sms"]
  to         = ["example-oncall"]
  repeat     = "1h"
  fallback   = ["example-mail"]
  escalate {
    after = "15m"
    add   = ["example-lead"]
  }
}

# Outside office hours: warnings by mail, once.
route "example-warnings" {
  match {
    level = "warning"
  }
  not_during = "example-office-hours"
  notifiers  = ["example-mail"]
  to         = ["example-oncall"]
  repeat     = 0
}
