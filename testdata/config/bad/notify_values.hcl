notifier "mail" {
  plugin = "e mail"
}

notifier "nothing" {
}

rout "typo" {
}

timeperiod "office-hours" {
  time_zone = "Europe/Olso"
  weekdays  = { "monday-friday" = ["08:00-16:00"], "funday" = ["10:00-11:00"] }
  dates     = { "2026-12-24" = ["08:00-25:00"] }
  holidays  = ["december 32"]
  weekday   = {}
}

timeperiod "bad-types" {
  weekdays = ["monday"]
  holidays = "december 25"
}

contact "kari" {
  email = "kari at example.com"
  phone = "call me"
}

contact "nobody" {
}

route "errors" {
  match {
    level = "critical"
    check = "disk["
    tags  = "prod"
    tema  = "web"
  }
  during      = "office-hours"
  not_during  = "office-hours"
  notifers    = ["mail"]
  notifiers   = ["mail"]
  repeat      = "10s"
  first_delay = 300
  continue    = "maybe"
}

route "more" {
  notifiers   = ["mail"]
  repeat      = "5x"
  first_delay = "-1m"
}
