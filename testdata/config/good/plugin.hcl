# go-plugin checks: plugin and an undecoded config block, which may use host
# and var; a check's own config block replaces its template's.

variable "path" {
  default = "/health"
}

host "web1" {
  address = "192.0.2.10"
}

template "http" {
  plugin = "http"
  config {
    url = "http://${host.address}${var.path}"
  }
}

check "http" {
  template = "http"
  host     = "web1"
}

check "http-tls" {
  template = "http"
  host     = "web1"
  config {
    url    = "https://${host.name}/"
    expect = 200
  }
}

check "tcp" {
  plugin = "tcp"
}
