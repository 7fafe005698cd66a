# The built-in procs plugin (plugins/procs/README.md), counting every
# process: /proc must show some, and not so many that something is forking
# out of control. To watch one program, use name (or cmdline_regexp, user)
# instead of all, with critical = "1:" for "at least one is running".

check "example-plugin-procs" {
  plugin = "procs"
  config {
    all      = true
    warning  = "1:5000"
    critical = "1:10000"
  }
}
