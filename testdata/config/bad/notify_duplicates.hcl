notifier "mail" {
  plugin = "email"
  config {
    host = "a"
  }
  config {
    host = "b"
  }
}

notifier "mail" {
  plugin = "email"
}

timeperiod "a" {
  exclude = ["b"]
}

timeperiod "b" {
  exclude = ["a"]
}

timeperiod "a" {
}

contact "kari" {
  email = "kari@example.com"
}

contact "kari" {
  email = "kari2@example.com"
}

team "kari" {
  members = ["kari"]
}

route "r" {
  notifiers = ["mail"]
  match {
    level = "error"
  }
  match {
    level = "warning"
  }
}

route "r" {
  notifiers = ["mail"]
}
