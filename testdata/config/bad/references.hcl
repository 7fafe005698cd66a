variable "port" {
  default = 22
}

host "web1" {
  parent = "routr1"
}

host "router1" {}

template "ssh" {
  command = ["/usr/lib/nagios/plugins/check_ssh", "-p", var.prot, host.adress]
}

check "unknown-host" {
  host    = "web2"
  command = ["/usr/lib/nagios/plugins/check_ssh", host.address]
}

check "unknown-template" {
  template = "shh"
  host     = "web1"
}

check "unknown-names" {
  command = ["/usr/lib/nagios/plugins/check_ssh", port, var, self.address, host.tags.x.y]
}

check "host-not-here" {
  host     = host.name
  template = host.tags.template
}

check "host-in-hosts" {
  hosts   = [host.parent]
  command = ["/usr/lib/nagios/plugins/check_ssh", host.address]
}

check "plugin-config" {
  plugin = "http"
  config {
    url = "http://${host.adress}:${var["prot"]}/"
    header {
      value = nope
    }
  }
}
