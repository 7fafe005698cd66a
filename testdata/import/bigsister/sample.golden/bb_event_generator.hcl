# Converted by vakt import bigsister from bb_event_generator.cfg.
# Alarm rules are not converted: vakt has no notification routes or time periods in HCL yet (the notification issue adds them).
# Each rule follows as it was, with what it says.

# bb_event_generator.cfg:2: alarm rule for host www1, test http, mail to web@example.com, after 5 minutes, alarm at red or worse, all clear at green
#   www1.http mail=web@example.com delay=5 down=red up=green

# bb_event_generator.cfg:3: alarm rule for host www1, every test, on Sat,Sun, mail to oncall@example.com, after 15 minutes, alarm at yellow or worse
#   www1.*{weekday Sat,Sun} mail=oncall@example.com delay=15 down=yellow

# bb_event_generator.cfg:4: alarm rule for every host, test ping, between 17:00-07:00, on Mon,Tue,Wed,Thu,Fri, mail to noc@example.com, alarm at red or worse
#   *.ping{daytime 17:00-07:00}{weekday Mon,Tue,Wed,Thu,Fri} mail=noc@example.com down=red

# bb_event_generator.cfg:5: alarm rule for group DATABASES, test procs, mail to dba@example.com, after 10 minutes, alarm at red or worse, all clear at green
#   @DATABASES.procs mail=dba@example.com delay=10 down=red up=green
