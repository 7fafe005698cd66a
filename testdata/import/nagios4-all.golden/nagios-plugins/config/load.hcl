# Converted by vakt import nagios from nagios-plugins/config/load.cfg.

# command "check_load" (nagios-plugins/config/load.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_load --warning='$ARG1$,$ARG2$,$ARG3$' --critical='$ARG4$,$ARG5$,$ARG6$'
