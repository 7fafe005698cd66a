# Converted by vakt import nagios from broken.cfg.

# broken.cfg:1: not converted: the define is not terminated (no })
#   define host {
#       host_name       cut-off
#       address         192.0.2.99
