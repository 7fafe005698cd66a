#!/bin/sh
# stubborn.sh FIFO [ignore|obey]: a plugin that starts a child which ignores
# SIGTERM and keeps stdout open, writes the child's pid to FIFO, then waits
# for ever. With "ignore" the plugin ignores SIGTERM too, so only SIGKILL
# ends it.
if [ "$2" = ignore ]; then
	trap '' TERM
fi
(trap '' TERM; exec sleep 600) &
echo "OK child $!"
echo "$!" > "$1"
while :; do
	sleep 600
done
