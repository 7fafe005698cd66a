# unknown_as: the level an UNKNOWN result raises. By default UNKNOWN is an
# error, like CRITICAL; for a check whose plugin often cannot tell (a
# sensor that is sometimes absent), warning sends mail instead of an SMS.
# One of ok, warning, error.

check "example-optional-sensor" {
  command    = ["/usr/lib/nagios/plugins/check_dummy", "0", "the sensor reads fine"]
  unknown_as = "warning"
}
