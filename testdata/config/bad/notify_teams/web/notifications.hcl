contact "web-lead" {
  email = "lead@web.example.com"
}

team "web-oncall" {
  members = ["web-lead", "ops"]
}
