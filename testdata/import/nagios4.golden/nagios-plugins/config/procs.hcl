# Converted by vakt import nagios from nagios-plugins/config/procs.cfg.

# command "check_procs" (nagios-plugins/config/procs.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_procs -w '$ARG1$' -c '$ARG2$'

# command "check_procs_zombie" (nagios-plugins/config/procs.cfg:9), not used by any converted check:
#   /usr/lib/nagios/plugins/check_procs -w '$ARG1$' -c '$ARG2$' -s Z

# command "check_procs_httpd" (nagios-plugins/config/procs.cfg:16), not used by any converted check:
#   /usr/lib/nagios/plugins/check_procs -w 5:'$ARG1$' -c 1:'$ARG2$' -C httpd
