# The built-in load plugin (plugins/load/README.md): the 1, 5 and 15 minute
# load averages per CPU, like check_load -r, with generous thresholds.

check "example-plugin-load" {
  plugin = "load"
  config {
    per_cpu  = true
    warning  = ["15", "10", "8"]    # 1, 5 and 15 minutes, per CPU
    critical = ["30", "20", "15"]
  }
}
