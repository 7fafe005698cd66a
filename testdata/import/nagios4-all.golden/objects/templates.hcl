# Converted by vakt import nagios from objects/templates.cfg.

# objects/templates.cfg:26: not converted: vakt has no contacts in HCL yet (the notification issue adds them)
#   define contact {
#
#       name                            generic-contact         ; The name of this contact template
#       service_notification_period     24x7                    ; service notifications can be sent anytime
#       host_notification_period        24x7                    ; host notifications can be sent anytime
#       service_notification_options    w,u,c,r,f,s             ; send notifications for all service states, flapping events, and scheduled downtime events
#       host_notification_options       d,u,r,f,s               ; send notifications for all host states, flapping events, and scheduled downtime events
#       service_notification_commands   notify-service-by-email ; send service notifications via email
#       host_notification_commands      notify-host-by-email    ; send host notifications via email
#       register                        0                       ; DON'T REGISTER THIS DEFINITION - ITS NOT A REAL CONTACT, JUST A TEMPLATE!
#   }

# host template "generic-host", objects/templates.cfg:49
template "host:generic-host" {
  # notifications_enabled 1 (objects/templates.cfg:52): vakt has no notification settings in HCL yet (the notification issue adds them)
  # event_handler_enabled 1 (objects/templates.cfg:53): vakt has no event handlers
  # flap_detection_enabled 1 (objects/templates.cfg:54): vakt detects flapping with Nagios' default thresholds, always
  # process_perf_data 1 (objects/templates.cfg:55): vakt keeps perfdata and state always
  # retain_status_information 1 (objects/templates.cfg:56): vakt keeps perfdata and state always
  # retain_nonstatus_information 1 (objects/templates.cfg:57): vakt keeps perfdata and state always
  # notification_period 24x7 (objects/templates.cfg:58): vakt has no notification settings in HCL yet (the notification issue adds them)
}

# host template "linux-server", objects/templates.cfg:67
template "host:linux-server" {
  template       = "host:generic-host"
  interval       = "5m"
  retry_interval = "1m"
  max_attempts   = 10
  # check_period 24x7 (objects/templates.cfg:71): vakt has no time periods in HCL yet; it checks around the clock
  # notification_period workhours (objects/templates.cfg:76): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_interval 120 (objects/templates.cfg:79): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_options d,u,r (objects/templates.cfg:80): vakt has no notification settings in HCL yet (the notification issue adds them)
  # contact_groups admins (objects/templates.cfg:81): vakt has no notification settings in HCL yet (the notification issue adds them)
}

# host template "windows-server", objects/templates.cfg:91
template "host:windows-server" {
  template       = "host:generic-host"
  interval       = "5m"
  retry_interval = "1m"
  max_attempts   = 10
  # check_period 24x7 (objects/templates.cfg:95): vakt has no time periods in HCL yet; it checks around the clock
  # notification_period 24x7 (objects/templates.cfg:100): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_interval 30 (objects/templates.cfg:101): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_options d,r (objects/templates.cfg:102): vakt has no notification settings in HCL yet (the notification issue adds them)
  # contact_groups admins (objects/templates.cfg:103): vakt has no notification settings in HCL yet (the notification issue adds them)
}

# host template "generic-printer", objects/templates.cfg:113
template "host:generic-printer" {
  template       = "host:generic-host"
  interval       = "5m"
  retry_interval = "1m"
  max_attempts   = 10
  # check_period 24x7 (objects/templates.cfg:117): vakt has no time periods in HCL yet; it checks around the clock
  # notification_period workhours (objects/templates.cfg:122): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_interval 30 (objects/templates.cfg:123): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_options d,r (objects/templates.cfg:124): vakt has no notification settings in HCL yet (the notification issue adds them)
  # contact_groups admins (objects/templates.cfg:125): vakt has no notification settings in HCL yet (the notification issue adds them)
}

# host template "generic-switch", objects/templates.cfg:132
template "host:generic-switch" {
  template       = "host:generic-host"
  interval       = "5m"
  retry_interval = "1m"
  max_attempts   = 10
  # check_period 24x7 (objects/templates.cfg:136): vakt has no time periods in HCL yet; it checks around the clock
  # notification_period 24x7 (objects/templates.cfg:141): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_interval 30 (objects/templates.cfg:142): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_options d,r (objects/templates.cfg:143): vakt has no notification settings in HCL yet (the notification issue adds them)
  # contact_groups admins (objects/templates.cfg:144): vakt has no notification settings in HCL yet (the notification issue adds them)
}

# service template "generic-service", objects/templates.cfg:159
template "generic-service" {
  interval       = "10m"
  retry_interval = "2m"
  max_attempts   = 3
  # passive_checks_enabled 1 (objects/templates.cfg:163): vakt accepts passive results through its API and port 1984
  # parallelize_check 1 (objects/templates.cfg:164): no vakt equivalent
  # obsess_over_service 1 (objects/templates.cfg:165): no vakt equivalent
  # check_freshness 0 (objects/templates.cfg:166): no vakt equivalent
  # notifications_enabled 1 (objects/templates.cfg:167): vakt has no notification settings in HCL yet (the notification issue adds them)
  # event_handler_enabled 1 (objects/templates.cfg:168): vakt has no event handlers
  # flap_detection_enabled 1 (objects/templates.cfg:169): vakt detects flapping with Nagios' default thresholds, always
  # process_perf_data 1 (objects/templates.cfg:170): vakt keeps perfdata and state always
  # retain_status_information 1 (objects/templates.cfg:171): vakt keeps perfdata and state always
  # retain_nonstatus_information 1 (objects/templates.cfg:172): vakt keeps perfdata and state always
  # is_volatile 0 (objects/templates.cfg:173): no vakt equivalent
  # check_period 24x7 (objects/templates.cfg:174): vakt has no time periods in HCL yet; it checks around the clock
  # contact_groups admins (objects/templates.cfg:178): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_options w,u,c,r (objects/templates.cfg:179): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_interval 60 (objects/templates.cfg:180): vakt has no notification settings in HCL yet (the notification issue adds them)
  # notification_period 24x7 (objects/templates.cfg:181): vakt has no notification settings in HCL yet (the notification issue adds them)
}

# service template "local-service", objects/templates.cfg:190
template "local-service" {
  template       = "generic-service"
  interval       = "5m"
  retry_interval = "1m"
  max_attempts   = 4
}
