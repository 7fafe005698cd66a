host "empty-address" {
  address = ""
}

host "spaced-address" {
  address = "192.0.2.1 192.0.2.2"
}

host "tags-string" {
  tags = "web"
}

host "parent-list" {
  parent = ["a", "b"]
}

host "uses-host" {
  address = host.name
}

host "null-tag" {
  tags = { role = null }
}
