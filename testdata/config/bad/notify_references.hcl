notifier "mail" {
  plugin = "email"
}

notifier "sms" {
  plugin = "sms"
  config {
    token = host.name
  }
}

timeperiod "office-hours" {
  weekdays = { "monday-friday" = ["08:00-16:00"] }
  exclude  = ["lunsh"]
}

timeperiod "lunch" {
  weekdays = { "monday-friday" = ["11:30-12:00"] }
}

contact "kari" {
  email = "kari@example.com"
}

team "oncall" {
  members = ["kari", "olaf", "oncall"]
}

route "errors" {
  during    = "office-hour"
  notifiers = ["mial", "sms"]
  to        = ["oncal", "kari"]
  fallback  = ["sms", "pager"]
  escalate {
    after = "15m"
    add   = ["bos"]
  }
}

route "silent" {
  to = ["kari"]
}

route "empty" {
  notifiers = []
}

contact "self" {
  email = "${host.name}@example.com"
}
