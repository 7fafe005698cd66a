check "http" {
  command = ["/usr/lib/nagios/plugins/check_http", "-H", "www.example.com"]
}

check "http-fast" {
  command  = ["/usr/lib/nagios/plugins/check_http", "-H", "shop.example.com"]
  interval = "30s"
  tags     = { page = "shop" }
}
