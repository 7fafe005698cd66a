# Converted by vakt import nagios from nagios-plugins/config/dhcp.cfg.

# command "check_dhcp" (nagios-plugins/config/dhcp.cfg:5), not used by any converted check:
#   /usr/lib/nagios/plugins/check_dhcp -s '$HOSTADDRESS$' '$ARG1$'

# command "check_dhcp_interface" (nagios-plugins/config/dhcp.cfg:11), not used by any converted check:
#   /usr/lib/nagios/plugins/check_dhcp -s '$HOSTADDRESS$' -i '$ARG1$' '$ARG2$'
