# memory: used memory and used swap, in percent. Built into vakt.
#
# Lines starting with "# " show every setting at its default (or, for a
# setting without one, an example); remove the "# " to change one.
# Ranges are Nagios ranges: "90" alerts above 90, "@0:10" alerts from 0 to 10.
check "memory" {
  plugin = "memory"
  config {
    ## Used memory percent: MemTotal - MemAvailable, so page cache the
    ## kernel can drop counts as free.
    # warning  = "90"
    # critical = "95"

    ## Used swap percent. Unset: no threshold.
    # swap_warning  = "50"
    # swap_critical = "80"

    ## The state of a machine without swap: ok, warning, critical or unknown.
    # no_swap = "ok"
  }
}
