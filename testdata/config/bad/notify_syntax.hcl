notifier "mail" {
  plugin = "email"
}

route "broken" {
  notifiers = ["mail"
  to        = ["nobody"]
}

route "fine" {
  notifiers = ["mail"]
}

contact "half" {
  email = "half@example.com
}
