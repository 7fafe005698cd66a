# Converted by vakt import nagios from objects.cfg.

# command "check_dummy" (objects.cfg:1), inlined into 3 check(s):
#   /usr/lib/nagios/plugins/check_dummy $ARG1$ $ARG2$

# command "check_quote" (objects.cfg:5), inlined into 1 check(s):
#   /usr/lib/nagios/plugins/check_dummy 0 'unterminated

# host "good", objects.cfg:10
host "good" {
  address = "127.0.0.1"
}

# service template "loop-a", objects.cfg:15
template "loop-a" {
  template = "loop-b"
  interval = "3m"
}

# service template "loop-b", objects.cfg:21
template "loop-b" {
}

# service "Looped", objects.cfg:26
check "Looped" {
  template = "loop-a"
  host     = "good"
  command  = ["/usr/lib/nagios/plugins/check_dummy", "0", "looped", "but", "converted"]
}

# service "Missing command", objects.cfg:32
# not converted: its command "check_nothing" is not defined (objects.cfg:32)
#   define service {
#       host_name       good
#       service_description Missing command
#       check_command   check_nothing!1
#   }

# service "Unknown host", objects.cfg:37
check "Unknown host" {
  host    = "good"
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", "runs", "on", "good"]
  # check_interval soon (objects.cfg:41): not a number
}

# service "On no group", objects.cfg:43
# not converted: it applies to no host (objects.cfg:43)
#   define service {
#       hostgroup_name  nogroup
#       service_description On no group
#       check_command   check_dummy!0
#   }

# service "Bad quote", objects.cfg:48
# not converted: its command "check_quote" does not parse: unterminated ' quote (objects.cfg:48)
#   define service {
#       host_name       good
#       service_description Bad quote
#       check_command   check_quote
#   }

# service "", objects.cfg:53
# not converted: it has no service_description (objects.cfg:53)
#   define service {
#       host_name       good
#       check_command   check_dummy!0
#   }

# objects.cfg:57: not converted: unknown object type
#   define widget {
#       widget_name     w
#   }

# objects.cfg:60: not converted: the define is not terminated (no })
#   define service {
#       host_name       good
#       service_description Unterminated
#       check_command   check_dummy!0

# service "After the unterminated one", objects.cfg:64
check "After the unterminated one" {
  host    = "good"
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", "still", "converted"]
}
