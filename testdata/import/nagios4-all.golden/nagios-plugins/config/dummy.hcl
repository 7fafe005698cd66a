# Converted by vakt import nagios from nagios-plugins/config/dummy.cfg.

# command "return-ok" (nagios-plugins/config/dummy.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_dummy 0

# command "return-warning" (nagios-plugins/config/dummy.cfg:8), not used by any converted check:
#   /usr/lib/nagios/plugins/check_dummy 1

# command "return-critical" (nagios-plugins/config/dummy.cfg:14), not used by any converted check:
#   /usr/lib/nagios/plugins/check_dummy 2

# command "return-unknown" (nagios-plugins/config/dummy.cfg:20), not used by any converted check:
#   /usr/lib/nagios/plugins/check_dummy 3

# command "return-numeric" (nagios-plugins/config/dummy.cfg:26), not used by any converted check:
#   /usr/lib/nagios/plugins/check_dummy '$ARG1$'
