# Converted by vakt import nagios from nagios-plugins/config/telnet.cfg.

# command "check_telnet" (nagios-plugins/config/telnet.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_tcp -H '$HOSTADDRESS$' -p 23 '$ARG1$'

# command "check_telnet_4" (nagios-plugins/config/telnet.cfg:12), not used by any converted check:
#   /usr/lib/nagios/plugins/check_tcp -H '$HOSTADDRESS$' -p 23 -4 '$ARG1$'
