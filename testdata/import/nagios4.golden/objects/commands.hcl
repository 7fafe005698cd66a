# Converted by vakt import nagios from objects/commands.cfg.

# command "notify-host-by-email" (objects/commands.cfg:26), not used by any converted check:
#   /usr/bin/printf "%b" "***** Nagios *****\n\nNotification Type: $NOTIFICATIONTYPE$\nHost: $HOSTNAME$\nState: $HOSTSTATE$\nAddress: $HOSTADDRESS$\nInfo: $HOSTOUTPUT$\n\nDate/Time: $LONGDATETIME$\n" | /usr/bin/mail -s "** $NOTIFICATIONTYPE$ Host Alert: $HOSTNAME$ is $HOSTSTATE$ **" $CONTACTEMAIL$

# command "notify-service-by-email" (objects/commands.cfg:34), not used by any converted check:
#   /usr/bin/printf "%b" "***** Nagios *****\n\nNotification Type: $NOTIFICATIONTYPE$\n\nService: $SERVICEDESC$\nHost: $HOSTALIAS$\nAddress: $HOSTADDRESS$\nState: $SERVICESTATE$\n\nDate/Time: $LONGDATETIME$\n\nAdditional Info:\n\n$SERVICEOUTPUT$\n" | /usr/bin/mail -s "** $NOTIFICATIONTYPE$ Service Alert: $HOSTALIAS$/$SERVICEDESC$ is $SERVICESTATE$ **" $CONTACTEMAIL$

# command "check_local_disk" (objects/commands.cfg:76), inlined into 1 check(s):
#   $USER1$/check_disk -w $ARG1$ -c $ARG2$ -p $ARG3$

# command "check_local_load" (objects/commands.cfg:84), inlined into 1 check(s):
#   $USER1$/check_load -w $ARG1$ -c $ARG2$

# command "check_local_procs" (objects/commands.cfg:92), inlined into 1 check(s):
#   $USER1$/check_procs -w $ARG1$ -c $ARG2$ -s $ARG3$

# command "check_local_users" (objects/commands.cfg:100), inlined into 1 check(s):
#   $USER1$/check_users -w $ARG1$ -c $ARG2$

# command "check_local_swap" (objects/commands.cfg:108), inlined into 1 check(s):
#   $USER1$/check_swap -w $ARG1$ -c $ARG2$

# command "check_local_mrtgtraf" (objects/commands.cfg:116), not used by any converted check:
#   $USER1$/check_mrtgtraf -F $ARG1$ -a $ARG2$ -w $ARG3$ -c $ARG4$ -e $ARG5$

# command "check_snmp" (objects/commands.cfg:151), not used by any converted check:
#   $USER1$/check_snmp -H $HOSTADDRESS$ $ARG1$

# command "process-host-perfdata" (objects/commands.cfg:280), not used by any converted check:
#   /usr/bin/printf "%b" "$LASTHOSTCHECK$\t$HOSTNAME$\t$HOSTSTATE$\t$HOSTATTEMPT$\t$HOSTSTATETYPE$\t$HOSTEXECUTIONTIME$\t$HOSTOUTPUT$\t$HOSTPERFDATA$\n" >> /var/lib/nagios4/host-perfdata.out

# command "process-service-perfdata" (objects/commands.cfg:288), not used by any converted check:
#   /usr/bin/printf "%b" "$LASTSERVICECHECK$\t$HOSTNAME$\t$SERVICEDESC$\t$SERVICESTATE$\t$SERVICEATTEMPT$\t$SERVICESTATETYPE$\t$SERVICEEXECUTIONTIME$\t$SERVICELATENCY$\t$SERVICEOUTPUT$\t$SERVICEPERFDATA$\n" >> /var/lib/nagios4/service-perfdata.out
