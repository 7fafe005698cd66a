# templates: a template holds any check attribute; a check takes them with
# template = "NAME" and overrides what it sets itself. A template may use
# another template (cycles are errors).

template "example-base" {
  retry_interval = "30s"
  max_attempts   = 2
  tags           = { source = "template" }
}

template "example-load" {
  template = "example-base"
  interval = "1m"
  # Load per CPU (-r), thresholds far above what a healthy machine reaches.
  command = ["/usr/lib/nagios/plugins/check_load", "-r", "-w", "50,40,30", "-c", "100,80,60"]
}

# Everything from the templates: interval 1m, retry_interval 30s, max_attempts 2.
check "example-load" {
  template = "example-load"
}

# The same, checked less often.
check "example-load-slow" {
  template = "example-load"
  interval = "15m"
}
