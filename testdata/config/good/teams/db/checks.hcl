# Team db has no defaults of its own: the tree's apply.
check "pg" {
  command = ["/usr/lib/nagios/plugins/check_pgsql", "-H", "127.0.0.1"]
  timeout = "10s"
}
