# load: the 1, 5 and 15 minute load averages. Built into vakt.
#
# Lines starting with "# " show every setting at its default (or, for a
# setting without one, an example); remove the "# " to change one.
# Ranges are Nagios ranges: "5" alerts above 5, "@0:0.1" alerts from 0 to 0.1.
check "load" {
  plugin = "load"
  config {
    ## One range for all three averages, or three: 1, 5 and 15 minutes.
    ## Unset: no threshold.
    # warning  = ["5", "4", "3"]
    # critical = ["10", "8", "6"]

    ## Divide the averages by the number of online CPUs before comparing
    ## them, like check_load -r: the same ranges then fit every machine.
    # per_cpu = false
  }
}
