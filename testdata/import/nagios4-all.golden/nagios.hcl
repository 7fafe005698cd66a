# Converted by vakt import nagios from nagios-all.cfg.
# The check timeouts of nagios-all.cfg are vakt's defaults.
