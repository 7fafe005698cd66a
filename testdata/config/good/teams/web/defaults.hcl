# Team web: its own defaults, which use a template, on top of the tree's.
defaults {
  template = "web-base"
  tags     = { team = "web" }
}

template "web-base" {
  retry_interval = "20s"
  max_attempts   = 4
  interval       = "4m"
}
