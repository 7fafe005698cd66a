# Converted by vakt import nagios from nagios-plugins/config/http.cfg.

# command "check_http" (nagios-plugins/config/http.cfg:2), inlined into 1 check(s):
#   /usr/lib/nagios/plugins/check_http -H '$HOSTADDRESS$' -I '$HOSTADDRESS$' '$ARG1$'

# command "check_httpname" (nagios-plugins/config/http.cfg:8), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http -H '$HOSTNAME$' -I '$HOSTADDRESS$' '$ARG1$'

# command "check_http2" (nagios-plugins/config/http.cfg:14), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http -H '$ARG1$' -I '$HOSTADDRESS$' -w '$ARG2$' -c '$ARG3$' '$ARG4$'

# command "check_squid" (nagios-plugins/config/http.cfg:20), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http -H '$HOSTADDRESS$' -p '$ARG1$'  -u '$ARG2$'

# command "check_https" (nagios-plugins/config/http.cfg:26), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http --ssl -H '$HOSTADDRESS$' -I '$HOSTADDRESS$' '$ARG1$'

# command "check_https_hostname" (nagios-plugins/config/http.cfg:32), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http --ssl -H '$HOSTNAME$' -I '$HOSTADDRESS$' '$ARG1$'

# command "check_https_auth" (nagios-plugins/config/http.cfg:38), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http --ssl -H '$HOSTADDRESS$' -I '$HOSTADDRESS$' -a '$ARG1$' '$ARG2$'

# command "check_https_auth_hostname" (nagios-plugins/config/http.cfg:44), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http --ssl -H '$HOSTNAME$' -I '$HOSTADDRESS$' -a '$ARG1$' '$ARG2$'

# command "check_cups" (nagios-plugins/config/http.cfg:50), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http -I '$HOSTADDRESS$' -p 631 '$ARG1$'

# command "check_http_4" (nagios-plugins/config/http.cfg:60), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http -H '$HOSTADDRESS$' -I '$HOSTADDRESS$' -4 '$ARG1$'

# command "check_httpname_4" (nagios-plugins/config/http.cfg:66), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http -H '$HOSTNAME$' -I '$HOSTADDRESS$' -4 '$ARG1$'

# command "check_http2_4" (nagios-plugins/config/http.cfg:72), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http -H '$ARG1$' -I '$HOSTADDRESS$' -w '$ARG2$' -c '$ARG3$' -4 '$ARG4$'

# command "check_squid_4" (nagios-plugins/config/http.cfg:78), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http -H '$HOSTADDRESS$' -p '$ARG1$'  -u '$ARG2$' -4

# command "check_https_4" (nagios-plugins/config/http.cfg:84), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http --ssl -H '$HOSTADDRESS$' -I '$HOSTADDRESS$' -4 '$ARG1$'

# command "check_https_hostname_4" (nagios-plugins/config/http.cfg:90), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http --ssl -H '$HOSTNAME$' -I '$HOSTADDRESS$' -4 '$ARG1$'

# command "check_https_auth_4" (nagios-plugins/config/http.cfg:96), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http --ssl -H '$HOSTADDRESS$' -I '$HOSTADDRESS$' -a '$ARG1$' -4 '$ARG2$'

# command "check_https_auth_hostname_4" (nagios-plugins/config/http.cfg:102), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http --ssl -H '$HOSTNAME' -I '$HOSTADDRESS$' -a '$ARG1$' -4 '$ARG2$'

# command "check_cups_4" (nagios-plugins/config/http.cfg:108), not used by any converted check:
#   /usr/lib/nagios/plugins/check_http -I '$HOSTADDRESS$' -p 631 -4 '$ARG1$'
