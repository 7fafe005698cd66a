# Converted by vakt import nagios from nagios-plugins/config/ftp.cfg.

# command "check_ftp" (nagios-plugins/config/ftp.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ftp -H '$HOSTADDRESS$' '$ARG1$'

# command "check_ftp_4" (nagios-plugins/config/ftp.cfg:12), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ftp -H '$HOSTADDRESS$' -4 '$ARG1$'
