# The built-in disk plugin (plugins/disk/README.md): used percent, free
# space and a fill forecast for the root filesystem. No fork per run: the
# plugin is a long-lived process serving every disk check.

check "example-plugin-disk" {
  plugin = "disk"
  config {
    mounts            = ["/"]
    warning           = "95"    # used percent: WARNING above 95
    critical          = "98"
    forecast_warning  = 24      # hours until full at the growth rate of the last 6h
    forecast_critical = 4
  }
}
