# Converted by vakt import nagios from conf.d/sub/notify.cfg.

# conf.d/sub/notify.cfg:1: not converted: vakt has no contacts in HCL yet (the notification issue adds them)
#   define contact {
#       contact_name            alice
#       email                   alice@example.com
#       service_notification_commands notify-by-email
#   }

# conf.d/sub/notify.cfg:6: not converted: vakt has no contacts in HCL yet (the notification issue adds them)
#   define contactgroup {
#       contactgroup_name       admins
#       members                 alice
#   }

# conf.d/sub/notify.cfg:10: not converted: vakt has no time periods in HCL yet (the notification issue adds them)
#   define timeperiod {
#       timeperiod_name         workhours
#       monday                  09:00-17:00
#       monday 1 september      00:00-00:00
#   }

# conf.d/sub/notify.cfg:15: not converted: vakt has dependencies only through host parents
#   define servicedependency {
#       host_name               router
#       service_description     Ping!
#       dependent_host_name     web1
#       dependent_service_description HTTP
#   }

# conf.d/sub/notify.cfg:21: not converted: vakt has dependencies only through host parents
#   define hostdependency {
#       host_name               router
#       dependent_host_name     db1
#   }

# conf.d/sub/notify.cfg:25: not converted: vakt has no escalations in HCL yet (the notification issue adds them)
#   define serviceescalation {
#       host_name               web1
#       service_description     HTTP
#       first_notification      3
#       last_notification       0
#       contact_groups          admins
#   }

# conf.d/sub/notify.cfg:32: not converted: vakt has no escalations in HCL yet (the notification issue adds them)
#   define hostescalation {
#       host_name               router
#       first_notification      2
#       last_notification       5
#       contact_groups          admins
#   }
