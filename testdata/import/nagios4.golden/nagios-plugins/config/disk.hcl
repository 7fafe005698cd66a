# Converted by vakt import nagios from nagios-plugins/config/disk.cfg.

# command "check_disk" (nagios-plugins/config/disk.cfg:2), not used by any converted check:
#   /usr/lib/nagios/plugins/check_disk -w '$ARG1$' -c '$ARG2$' -e -p '$ARG3$'

# command "check_all_disks" (nagios-plugins/config/disk.cfg:8), not used by any converted check:
#   /usr/lib/nagios/plugins/check_disk -w '$ARG1$' -c '$ARG2$' -e

# command "ssh_disk" (nagios-plugins/config/disk.cfg:14), not used by any converted check:
#   /usr/lib/nagios/plugins/check_by_ssh -H '$HOSTADDRESS$' -C "/usr/lib/nagios/plugins/check_disk -w '$ARG1$' -c '$ARG2$' -e -p '$ARG3$'"

# command "ssh_disk_4" (nagios-plugins/config/disk.cfg:24), not used by any converted check:
#   /usr/lib/nagios/plugins/check_by_ssh -H '$HOSTADDRESS$' -C "/usr/lib/nagios/plugins/check_disk -w '$ARG1$' -c '$ARG2$' -e -p '$ARG3$'" -4
