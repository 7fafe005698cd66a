# Converted by vakt import bigsister from uxmon-net.d/db.cfg.

# host "db1", uxmon-net.d/db.cfg:3
host "db1" {
}

# db1 proc=postgres min=2 procs dns, uxmon-net.d/db.cfg:3
check "procs postgres" {
  host     = "db1"
  plugin   = "procs"
  interval = "2m"
  config {
    name     = "postgres"
    critical = "2:"
  }
}

# db1 proc=postgres min=2 procs dns, uxmon-net.d/db.cfg:3
# not converted: vakt has no equivalent of Big Sister's "dns" check
