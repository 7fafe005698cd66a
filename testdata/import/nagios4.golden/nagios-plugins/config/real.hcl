# Converted by vakt import nagios from nagios-plugins/config/real.cfg.

# command "check_real_url" (nagios-plugins/config/real.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_real '$HOSTADDRESS$' -p '$ARG1$' -wt '$ARG2$' -ct '$ARG3$' -to 5 -u '$ARG4$'

# command "check_real" (nagios-plugins/config/real.cfg:9), not used by any converted check:
#   /usr/lib/nagios/plugins/check_real '$HOSTADDRESS$' -p '$ARG1$' -wt '$ARG2$' -ct '$ARG3$' -to 5
