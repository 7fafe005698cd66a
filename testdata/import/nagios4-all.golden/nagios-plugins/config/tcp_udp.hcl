# Converted by vakt import nagios from nagios-plugins/config/tcp_udp.cfg.

# command "check_tcp" (nagios-plugins/config/tcp_udp.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_tcp -H '$HOSTADDRESS$' -p '$ARG1$' '$ARG2$'

# command "check_udp" (nagios-plugins/config/tcp_udp.cfg:8), not used by any converted check:
#   /usr/lib/nagios/plugins/check_udp -H '$HOSTADDRESS$' -p '$ARG1$' '$ARG2$'

# command "check_tcp_4" (nagios-plugins/config/tcp_udp.cfg:18), not used by any converted check:
#   /usr/lib/nagios/plugins/check_tcp -H '$HOSTADDRESS$' -p '$ARG1$' -4 '$ARG2$'

# command "check_udp_4" (nagios-plugins/config/tcp_udp.cfg:24), not used by any converted check:
#   /usr/lib/nagios/plugins/check_udp -H '$HOSTADDRESS$' -p '$ARG1$' -4 '$ARG2$'
