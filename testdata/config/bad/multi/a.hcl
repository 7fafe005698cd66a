# The syntax error here must not hide the errors in b.hcl; the host declared
# before it is still known there.
host "web1" {}

check "broken" {
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"
}
