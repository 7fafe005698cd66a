# Converted by vakt import bigsister from bb_event_generator.cfg.
# Alarm rules are not converted: vakt has no notification routes or time periods in HCL yet (the notification issue adds them).
# Each rule follows as it was, with what it says.

# bb_event_generator.cfg:1: not understood: { without }
#   www1.http{weekday Sat mail=x@example.com

# bb_event_generator.cfg:2: not understood: "nodot" is not HOST.TEST or @GROUP.TEST
#   nodot mail=x@example.com

# bb_event_generator.cfg:3: not understood: "mail" is not key=value
#   www1.http mail x@example.com

# bb_event_generator.cfg:4: alarm rule for host db1, test disk, mail to dba@example.com, after 10 minutes
#   db1.disk mail=dba@example.com delay=10
