# A pack that declares a host but no check: `vakt check` refuses to pass it.
host "lonely" {
  address = "127.0.0.1"
}
