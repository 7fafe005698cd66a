team "db-oncall" {
  members = ["web-lead", "ops"]
}

route "db" {
  match {
    team = "web"
  }
  notifiers = ["mail"]
  to        = ["web-oncall", "db-oncall", "ops"]
  escalate {
    after = "15m"
    add   = ["web-lead"]
  }
}

route "db-own" {
  match {
    team = "db"
  }
  notifiers = ["mail"]
}
