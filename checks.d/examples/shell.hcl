# shell opt-in: command is normally a list of arguments, run without a
# shell, so nothing in it is ever interpreted. With shell = true, command is
# one string run by /bin/sh -c, for the rare check that needs a pipe.

check "example-shell-pipeline" {
  shell   = true
  command = "n=$(ls / | wc -l); if [ \"$n\" -gt 0 ]; then echo \"OK - $n entries in /\"; else echo 'CRITICAL - / is empty'; exit 2; fi"
}
