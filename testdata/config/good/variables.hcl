# Variables of any type, env() with and without a default, functions, and
# interpolation. The test sets VAKT_TEST_TOKEN and leaves VAKT_TEST_HOME unset.

variable "plugins" {
  default     = "/usr/lib/nagios/plugins"
  description = "Where the monitoring-plugins package installs."
}

variable "age_warn" {
  default = 3600
}

variable "load" {
  default = { warn = "5,4,3", crit = "10,8,6" }
}

variable "home" {
  default = env("VAKT_TEST_HOME", "/home/vakt")
}

variable "token" {
  default = env("VAKT_TEST_TOKEN")
}

check "load" {
  command = ["${var.plugins}/check_load", "-w", var.load.warn, "-c", var.load["crit"]]
}

check "profile-age" {
  command = [format("%s/check_file_age", var.plugins), "-f", "${var.home}/.profile", "-w", var.age_warn]
  tags    = { token = var.token, host = upper(host.name), path = join(":", ["a", "b"]), low = lower("ABC") }
}
