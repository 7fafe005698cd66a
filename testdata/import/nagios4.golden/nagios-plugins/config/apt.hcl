# Converted by vakt import nagios from nagios-plugins/config/apt.cfg.

# command "check_apt" (nagios-plugins/config/apt.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_apt

# command "check_apt_distupgrade" (nagios-plugins/config/apt.cfg:8), not used by any converted check:
#   /usr/lib/nagios/plugins/check_apt -d
