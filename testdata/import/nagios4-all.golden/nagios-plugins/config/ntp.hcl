# Converted by vakt import nagios from nagios-plugins/config/ntp.cfg.

# command "check_ntp" (nagios-plugins/config/ntp.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ntp_peer -H '$HOSTADDRESS$' '$ARG1$'

# command "check_ntp_ntpq" (nagios-plugins/config/ntp.cfg:8), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ntp_peer -H '$HOSTADDRESS$' -j 10 -k 15 '$ARG1$'

# command "check_time" (nagios-plugins/config/ntp.cfg:14), not used by any converted check:
#   /usr/lib/nagios/plugins/check_time -H '$HOSTADDRESS$' '$ARG1$'
