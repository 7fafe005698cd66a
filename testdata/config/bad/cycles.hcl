host "self" {
  parent = "self"
}

host "a" {
  parent = "b"
}
host "b" {
  parent = "c"
}
host "c" {
  parent = "a"
}
# d hangs off the cycle, but is not part of it.
host "d" {
  parent = "a"
}

template "loop" {
  template = "loop"
}

template "ping" {
  template = "pong"
}
template "pong" {
  template = "ping"
}

# Checks that use a template in a cycle are not reported again.
check "x" {
  template = "ping"
}
