# Converted by vakt import bigsister from uxmon-net.

# host "localhost", uxmon-net:2
host "localhost" {
  address = "127.0.0.1"
}

# localhost ping, uxmon-net:2
check "ping" {
  host   = "localhost"
  plugin = "ping"
}

# uxmon-net:3: not converted: host "localhost" has no check on this line; the line is left as a comment
#   localhost proc=sshd

# uxmon-net:4: not converted: unterminated " quote; the line is left as a comment
#   localhost exec="unterminated command

# uxmon-net:5: not converted: "localhost(broken" is not HOST or HOST(REPORTED-AS); the line is left as a comment
#   localhost(broken ping

# uxmon-net:6: not converted: DEFAULT needs arguments and a check name or ALL: DEFAULT key=value ... CHECK|ALL
#   DEFAULT ALL

# localhost service=gopher tcp, uxmon-net:7
# not converted: it names no port vakt knows

# localhost procs, uxmon-net:8
# not converted: it names no process

# localhost exec="/bin/true" results="0:blue:huh;garbage;*:red" item=rules command, uxmon-net:9
check "rules" {
  host    = "localhost"
  command = ["/bin/true"]
  timeout = "5s"
  results = [
    { state = "critical" },
  ]
}

# localhost ssl=yes url=https://localhost/ http, uxmon-net:10
check "http" {
  host   = "localhost"
  plugin = "http"
  # ssl=yes: not converted: the http check has no such setting in vakt
  config {
    url = "https://localhost/"
  }
}

# localhost nntp, uxmon-net:11
# not converted: vakt has no equivalent of Big Sister's "nntp" check

# localhost yellow=high load, uxmon-net:13
check "load" {
  host   = "localhost"
  plugin = "load"
}
