variable "no-default" {
  description = "There is no way to set this."
}

variable "home" {
  default = env("VAKT_TEST_UNSET")
}

variable "too-many" {
  default = env("A", "b", "c")
}

variable "from-var" {
  default = var.home
}

variable "not-a-string" {
  default     = env(["HOME"])
  description = ["a", "list"]
}

check "uses-failed-variable" {
  # home failed above: its uses are not reported again.
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", var.home]
}

check "env-in-check" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", env("VAKT_TEST_UNSET_TOO")]
}
