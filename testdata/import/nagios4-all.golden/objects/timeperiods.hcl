# Converted by vakt import nagios from objects/timeperiods.cfg.

# objects/timeperiods.cfg:26: not converted: vakt has no time periods in HCL yet (the notification issue adds them)
#   define timeperiod {
#
#       name                    24x7
#       timeperiod_name         24x7
#       alias                   24 Hours A Day, 7 Days A Week
#
#       sunday                  00:00-24:00
#       monday                  00:00-24:00
#       tuesday                 00:00-24:00
#       wednesday               00:00-24:00
#       thursday                00:00-24:00
#       friday                  00:00-24:00
#       saturday                00:00-24:00
#   }

# objects/timeperiods.cfg:46: not converted: vakt has no time periods in HCL yet (the notification issue adds them)
#   define timeperiod {
#
#       name                    workhours
#       timeperiod_name         workhours
#       alias                   Normal Work Hours
#
#       monday                  09:00-17:00
#       tuesday                 09:00-17:00
#       wednesday               09:00-17:00
#       thursday                09:00-17:00
#       friday                  09:00-17:00
#   }

# objects/timeperiods.cfg:64: not converted: vakt has no time periods in HCL yet (the notification issue adds them)
#   define timeperiod {
#
#       name                    none
#       timeperiod_name         none
#       alias                   No Time Is A Good Time
#   }

# objects/timeperiods.cfg:78: not converted: vakt has no time periods in HCL yet (the notification issue adds them)
#   define timeperiod {
#
#       name                    us-holidays
#       timeperiod_name         us-holidays
#       alias                   U.S. Holidays
#
#       january 1               00:00-00:00     ; New Years
#       monday -1 may           00:00-00:00     ; Memorial Day (last Monday in May)
#       july 4                  00:00-00:00     ; Independence Day
#       monday 1 september      00:00-00:00     ; Labor Day (first Monday in September)
#       thursday 4 november     00:00-00:00     ; Thanksgiving (4th Thursday in November)
#       december 25             00:00-00:00     ; Christmas
#   }

# objects/timeperiods.cfg:97: not converted: vakt has no time periods in HCL yet (the notification issue adds them)
#   define timeperiod {
#
#       name                    24x7_sans_holidays
#       timeperiod_name         24x7_sans_holidays
#       alias                   24x7 Sans Holidays
#
#       use                     us-holidays     ; Get holiday exceptions from other timeperiod
#
#       sunday                  00:00-24:00
#       monday                  00:00-24:00
#       tuesday                 00:00-24:00
#       wednesday               00:00-24:00
#       thursday                00:00-24:00
#       friday                  00:00-24:00
#       saturday                00:00-24:00
#   }
