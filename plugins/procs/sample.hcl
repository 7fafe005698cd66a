# procs: is the program running? Counts the processes that match every
# given selector and compares the count with Nagios ranges. Built into vakt.
#
# Lines starting with "# " show every setting at its default (or, for a
# setting without one, an example); remove the "# " to change one.
# Ranges are Nagios ranges: "1:" alerts below 1 (at least one must run),
# "1:1" alerts unless exactly one runs, "~:50" alerts above 50.
check "procs" {
  plugin = "procs"
  config {
    ## Choose the processes: any of name, cmdline_regexp and user (a
    ## process must match all that are given), or all = true.
    ##
    ## The program's name as the kernel keeps it (comm): the file name it
    ## was started from, cut to 15 characters.
    name = "sshd"

    ## A regular expression (RE2) searched in the command line, the
    ## arguments joined by spaces. Kernel threads show as [name].
    # cmdline_regexp = "^/usr/sbin/sshd( |$)"

    ## The user the processes run as (effective uid): a name or a number.
    # user = "root"

    ## Count every process, e.g. to watch for a fork bomb.
    # all = false

    ## Ranges for the count; unset: none.
    # warning  = "1:10"
    critical = "1:"
  }
}
