# Team web's own contacts and routes: they apply to team web's checks only.
contact "web-lead" {
  email = "lead@web.example.com"
}

route "web-errors" {
  match {
    team = "web"
  }
  notifiers = ["mail"]
  to        = ["web-lead", "oncall"]
  repeat    = "0s"
}
