# plugin "dns": vakt's built-in DNS check (plugins/dns/README.md). With no
# resolver it asks the system's resolver, which answers localhost from
# /etc/hosts; resolver = "IP[:PORT]" asks that DNS server instead.

check "example-plugin-dns" {
  plugin = "dns"
  config {
    name   = "localhost"
    type   = "A"
    expect = ["127.0.0.1"]
  }
}
