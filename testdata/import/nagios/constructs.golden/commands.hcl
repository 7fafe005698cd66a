# Converted by vakt import nagios from commands.cfg.

# command "check-host-alive" (commands.cfg:1), inlined into 3 check(s):
#   $USER1$/check_ping -H $HOSTADDRESS$ -w 3000.0,80% -c 5000.0,100% -p 5

# command "check_dummy" (commands.cfg:5), inlined into 1 check(s):
#   $USER1$/check_dummy $ARG1$ "$ARG2$"

# command "check_tcp" (commands.cfg:9), inlined into 2 check(s):
#   $USER1$/check_tcp -H '$HOSTADDRESS$' -p '$ARG1$' $ARG2$

# command "check_by_desc" (commands.cfg:13), inlined into 1 check(s):
#   $USER1$/check_dummy 0 "$SERVICEDESC$ on $HOSTALIAS$ ($HOSTNAME$)"

# command "check_snmp_custom" (commands.cfg:17), inlined into 1 check(s):
#   $USER1$/check_snmp -H $HOSTADDRESS$ -C $_HOSTCOMMUNITY$ -o $_SERVICEOID$ -P $USER3$

# command "check_pipe" (commands.cfg:21), inlined into 1 check(s):
#   /bin/echo "load $$HOME" | /usr/bin/grep -q load && echo OK

# command "check_state_macro" (commands.cfg:25), inlined into 1 check(s):
#   $USER1$/check_dummy 0 $SERVICESTATE$

# command "notify-by-email" (commands.cfg:29), not used by any converted check:
#   /usr/bin/printf "%b" "$NOTIFICATIONTYPE$ $HOSTNAME$\n" | /usr/bin/mail -s "$HOSTNAME$" $CONTACTEMAIL$
