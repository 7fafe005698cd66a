# Baseline checks for the machine vakt runs on, with Debian's
# monitoring-plugins (apt-get install monitoring-plugins-basic).
# Every check passes on a healthy machine; `vakt check checks.d` exits 0.

variable "plugins" {
  default = "/usr/lib/nagios/plugins"
}

# A TCP service this machine runs, named by VAKT_LOCAL_TCP_PORT (make run
# names vakt's own HTTP API, 8484). Without it the tcp check says so and is
# OK: a fresh machine need not run sshd.
variable "tcp_port" {
  default = env("VAKT_LOCAL_TCP_PORT", "")
}

check "disk-root" {
  command = ["${var.plugins}/check_disk", "-w", "5%", "-c", "2%", "-p", "/"]
}

check "load" {
  # -r: divided by the number of CPUs. Generous, so that a busy CI run
  # is not an overloaded machine.
  command = ["${var.plugins}/check_load", "-r", "-w", "15,10,8", "-c", "30,20,15"]
}

check "procs" {
  command = ["${var.plugins}/check_procs", "-w", "2000", "-c", "4000"]
}

check "swap" {
  # A machine without swap is fine.
  command = ["${var.plugins}/check_swap", "-w", "20%", "-c", "10%", "-n", "ok"]
}

check "users" {
  command = ["${var.plugins}/check_users", "-w", "50", "-c", "100"]
}

check "tcp" {
  command = (var.tcp_port == ""
    ? ["${var.plugins}/check_dummy", "0", "no TCP service to watch: set VAKT_LOCAL_TCP_PORT"]
  : ["${var.plugins}/check_tcp", "-H", host.address, "-p", var.tcp_port, "-t", "5"])
}
