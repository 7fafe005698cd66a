# The built-in memory plugin (plugins/memory/README.md): used memory (by
# MemAvailable) and used swap, with generous thresholds. A machine without
# swap is fine.

check "example-plugin-memory" {
  plugin = "memory"
  config {
    warning       = "95"
    critical      = "98"
    swap_warning  = "80"
    swap_critical = "95"
    no_swap       = "ok"
  }
}
