# apply by tag: one check block with host_tags runs on every host that has
# all those tags, one check per host, with host.* set to that host. A hosts
# list does the same for named hosts.

host "example-app1" {
  address = "127.0.0.1"
  tags    = { role = "app", port = 1 }
}

host "example-app2" {
  address = "127.0.0.1"
  tags    = { role = "app", port = 2 }
}

# Yields example-app1/example-app-port and example-app2/example-app-port.
# Nothing listens on these ports on a test machine; --refuse=ok makes a
# refused connection OK so that this pack passes anywhere. Drop it for a
# real service.
check "example-app-port" {
  host_tags = { role = "app" }
  command   = ["/usr/lib/nagios/plugins/check_tcp", "-H", host.address, "-p", host.tags.port, "--refuse=ok"]
}

check "example-app-dummy" {
  hosts   = ["example-app1", "example-app2"]
  command = ["/usr/lib/nagios/plugins/check_dummy", "0", "${host.name} is at ${host.address}"]
}
