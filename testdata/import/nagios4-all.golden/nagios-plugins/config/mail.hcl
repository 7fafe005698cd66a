# Converted by vakt import nagios from nagios-plugins/config/mail.cfg.

# command "check_pop" (nagios-plugins/config/mail.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_pop -H '$HOSTADDRESS$' '$ARG1$'

# command "check_smtp" (nagios-plugins/config/mail.cfg:9), not used by any converted check:
#   /usr/lib/nagios/plugins/check_smtp -H '$HOSTADDRESS$' '$ARG1$'

# command "check_ssmtp" (nagios-plugins/config/mail.cfg:15), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ssmtp -H '$HOSTADDRESS$' '$ARG1$'

# command "check_imap" (nagios-plugins/config/mail.cfg:21), not used by any converted check:
#   /usr/lib/nagios/plugins/check_imap -H '$HOSTADDRESS$' '$ARG1$'

# command "check_spop" (nagios-plugins/config/mail.cfg:27), not used by any converted check:
#   /usr/lib/nagios/plugins/check_pop -p 995 -H '$HOSTADDRESS$' -S '$ARG1$'

# command "check_simap" (nagios-plugins/config/mail.cfg:34), not used by any converted check:
#   /usr/lib/nagios/plugins/check_imap -p 993 -H '$HOSTADDRESS$' -S '$ARG1$'

# command "check_pop_4" (nagios-plugins/config/mail.cfg:44), not used by any converted check:
#   /usr/lib/nagios/plugins/check_pop -H '$HOSTADDRESS$' -4 '$ARG1$'

# command "check_smtp_4" (nagios-plugins/config/mail.cfg:50), not used by any converted check:
#   /usr/lib/nagios/plugins/check_smtp -H '$HOSTADDRESS$' -4 '$ARG1$'

# command "check_ssmtp_4" (nagios-plugins/config/mail.cfg:56), not used by any converted check:
#   /usr/lib/nagios/plugins/check_ssmtp -H '$HOSTADDRESS$' -4 '$ARG1$'

# command "check_imap_4" (nagios-plugins/config/mail.cfg:62), not used by any converted check:
#   /usr/lib/nagios/plugins/check_imap -H '$HOSTADDRESS$' -4 '$ARG1$'

# command "check_spop_4" (nagios-plugins/config/mail.cfg:68), not used by any converted check:
#   /usr/lib/nagios/plugins/check_pop -p 995 -H '$HOSTADDRESS$' -S -4 '$ARG1$'

# command "check_simap_4" (nagios-plugins/config/mail.cfg:74), not used by any converted check:
#   /usr/lib/nagios/plugins/check_imap -p 993 -H '$HOSTADDRESS$' -S -4 '$ARG1$'
