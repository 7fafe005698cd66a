# One run reports every error of every file in this folder: a syntax error
# (here), an unknown host, bad durations, an empty command and an unknown
# attribute (b.hcl), duplicate names across files and a cycle of parents
# (c.hcl). The syntax error must not hide the others; the host declared
# before it is still known in the other files.
host "web1" {}

check "broken" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"
}
