# A team folder: this defaults block applies to the checks in
# checks.d/examples/team-web and below, on top of checks.d/examples/defaults.hcl.
# A team owns its folder, and so its own defaults, without touching anyone
# else's checks.

defaults {
  interval       = "2m"
  retry_interval = "30s"
  tags           = { team = "web" }
}

host "example-web-frontend" {
  address = "127.0.0.1"
  tags    = { role = "frontend" }
}

# interval 2m, retry_interval 30s, timeout 30s and
# tags { pack = "examples", team = "web" } all come from the defaults.
check "example-web-procs" {
  host    = "example-web-frontend"
  command = ["/usr/lib/nagios/plugins/check_procs", "-w", "5000", "-c", "10000"]
}
