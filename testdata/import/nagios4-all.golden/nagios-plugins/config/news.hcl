# Converted by vakt import nagios from nagios-plugins/config/news.cfg.

# command "check_nntp" (nagios-plugins/config/news.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_nntp -H '$HOSTADDRESS$' '$ARG1$'

# command "check_nntp_4" (nagios-plugins/config/news.cfg:12), not used by any converted check:
#   /usr/lib/nagios/plugins/check_nntp -H '$HOSTADDRESS$' -4 '$ARG1$'
