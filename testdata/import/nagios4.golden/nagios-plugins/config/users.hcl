# Converted by vakt import nagios from nagios-plugins/config/users.cfg.

# command "check_users" (nagios-plugins/config/users.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_users -w '$ARG1$' -c '$ARG2$'
