# An error in a template is reported once, even when no check or several
# checks use it.
template "unused" {
  interval = "soon"
}

template "shared" {
  timeout = "forever"
  command = ["/usr/lib/nagios/plugins/check_dummy", "0"]
}

check "one" {
  template = "shared"
}
check "two" {
  template = "shared"
}

template "not-a-name" {
  template = 42
}
