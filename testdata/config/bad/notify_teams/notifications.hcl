notifier "mail" {
  plugin = "email"
}

contact "ops" {
  email = "ops@example.com"
}
