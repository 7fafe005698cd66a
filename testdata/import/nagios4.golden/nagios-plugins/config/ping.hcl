# Converted by vakt import nagios from nagios-plugins/config/ping.cfg.

# command "check_ping" (nagios-plugins/config/ping.cfg:2), inlined into 1 check(s):
#   /usr/lib/nagios/plugins/check_ping -H '$HOSTADDRESS$' -w '$ARG1$' -c '$ARG2$'

# command "check-host-alive" (nagios-plugins/config/ping.cfg:9), inlined into 1 check(s):
#   /usr/lib/nagios/plugins/check_ping -H '$HOSTADDRESS$' -w 5000,100% -c 5000,100% -p 1

# command "check-printer-alive" (nagios-plugins/config/ping.cfg:16), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ping -H '$HOSTADDRESS$' -w 5000,100% -c 5000,100% -p 1

# command "check-switch-alive" (nagios-plugins/config/ping.cfg:23), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ping -H '$HOSTADDRESS$' -w 5000,100% -c 5000,100% -p 1

# command "check-router-alive" (nagios-plugins/config/ping.cfg:30), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ping -H '$HOSTADDRESS$' -w 5000,100% -c 5000,100% -p 1

# command "check_ping_4" (nagios-plugins/config/ping.cfg:40), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ping -H '$HOSTADDRESS$' -w '$ARG1$' -c '$ARG2$' -4

# command "check-host-alive_4" (nagios-plugins/config/ping.cfg:47), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ping -H '$HOSTADDRESS$' -w 5000,100% -c 5000,100% -p 1 -4

# command "check-printer-alive_4" (nagios-plugins/config/ping.cfg:54), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ping -H '$HOSTADDRESS$' -w 5000,100% -c 5000,100% -p 1 -4

# command "check-switch-alive_4" (nagios-plugins/config/ping.cfg:61), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ping -H '$HOSTADDRESS$' -w 5000,100% -c 5000,100% -p 1 -4

# command "check-router-alive_4" (nagios-plugins/config/ping.cfg:68), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ping -H '$HOSTADDRESS$' -w 5000,100% -c 5000,100% -p 1 -4
