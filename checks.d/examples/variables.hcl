# variables: declare a value once and use it as var.NAME. A default may read
# the environment with env("NAME", "fallback"); without a fallback an unset
# variable is an error.

variable "example_plugin_dir" {
  default     = env("VAKT_EXAMPLE_PLUGIN_DIR", "/usr/lib/nagios/plugins")
  description = "Where the monitoring-plugins package is installed."
}

variable "example_disk_free" {
  default     = { warn = "2%", crit = "1%" }
  description = "Free space below which / is a problem."
}

check "example-disk-root" {
  command = [
    "${var.example_plugin_dir}/check_disk",
    "-w", var.example_disk_free.warn,
    "-c", var.example_disk_free.crit,
    "-p", "/",
  ]
}
