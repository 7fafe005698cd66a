# output_limit: how many bytes of a plugin's stdout, and of its stderr, vakt
# keeps. The rest is read and thrown away and the result gets a note, so a
# plugin that prints without end can neither block nor fill memory. The
# default is 64 KiB (Nagios read 4 KB, Icinga 8 KB); at most 16 MiB.

check "example-output-limit" {
  command      = ["/usr/lib/nagios/plugins/check_dummy", "0", "a chatty plugin, kept to its first 4 KiB"]
  output_limit = 4096
}
