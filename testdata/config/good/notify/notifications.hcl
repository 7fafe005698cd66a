# On-call: errors by SMS outside office hours, warnings by mail; during
# office hours the service desk gets a ticket instead.

notifier "mail" {
  plugin = "email"
  config {
    host = "smtp.example.com"
    from = "vakt <vakt@example.com>"
  }
}

notifier "sms" {
  plugin = "sms"
  config {
    url     = "https://sms.example.com/api/send"
    headers = { Authorization = "Bearer ${var.sms_token}" }
  }
}

notifier "servicedesk" {
  plugin = "webhook"
  config {
    url = "https://desk.example.com/api/tickets"
  }
}

variable "sms_token" {
  default = "0123456789"
}

timeperiod "office-hours" {
  time_zone = "Europe/Oslo"
  weekdays  = { "monday-friday" = ["08:00-16:00"] }
  dates     = { "2026-12-24" = ["08:00-12:00"] }
  holidays  = ["december 25", "2027-01-01"]
  exclude   = ["lunch"]
}

timeperiod "lunch" {
  time_zone = "Europe/Oslo"
  weekdays  = { "monday-friday" = "11:30-12:00" }
}

contact "kari" {
  full_name = "Kari Nordmann"
  email     = "kari@example.com"
  phone     = "+47 912 34 567"
}

contact "ola" {
  email     = "ola@example.com"
  phone     = "+47 987 65 432"
  addresses = { chat = "@ola" }
}

contact "boss" {
  email = "boss@example.com"
}

team "oncall" {
  members = ["kari", "ola"]
}

route "desk" {
  during    = "office-hours"
  notifiers = ["servicedesk"]
}

route "errors" {
  match {
    level = "error"
  }
  not_during  = "office-hours"
  notifiers   = ["sms"]
  to          = ["oncall"]
  repeat      = "1h"
  first_delay = "5m"
  fallback    = ["mail"]
  escalate {
    after = "15m"
    add   = ["boss"]
  }
  escalate {
    after_notifications = 3
    replace             = ["boss"]
  }
}

route "warnings" {
  match {
    level = "warning"
    check = "disk*"
    host  = "web?"
    tags  = { env = "prod" }
  }
  notifiers = ["mail"]
  to        = ["oncall"]
  repeat    = 0
  continue  = true
}
