# Converted by vakt import nagios from nagios-plugins/config/ssh.cfg.

# command "check_ssh" (nagios-plugins/config/ssh.cfg:2), inlined into 1 check(s):
#   /usr/lib/nagios/plugins/check_ssh '$HOSTADDRESS$'

# command "check_ssh_port" (nagios-plugins/config/ssh.cfg:8), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ssh -p '$ARG1$' '$HOSTADDRESS$'

# command "check_ssh_4" (nagios-plugins/config/ssh.cfg:18), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ssh -4 '$HOSTADDRESS$'

# command "check_ssh_port_4" (nagios-plugins/config/ssh.cfg:24), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ssh -4 -p '$ARG1$' '$HOSTADDRESS$'
