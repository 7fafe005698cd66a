# Converted by vakt import nagios from nagios.cfg.
# The check timeouts of nagios.cfg are vakt's defaults.
