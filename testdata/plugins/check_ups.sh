#!/bin/sh
# check_ups.sh: prints what monitoring-plugins' check_ups prints for a UPS
# on line power (its units mV, % and degC are outside the guidelines' list)
# and exits 0. The real check_ups needs a upsd to talk to.
echo 'UPS OK - Status=Online Utility=229.0V Batt=100.0% Load=21.0% Temp=31.0C|voltage=229000mV;;;0 battery=100.000000%;;;0;100 load=21.000000%;;;0;100 temperature=31.0degC;;;0'
exit 0
