#!/bin/sh
# orphan.sh: a plugin that leaves a child in its process group holding
# stdout open, prints the child's pid and exits OK at once.
sleep 600 &
echo "OK left child $!"
exit 0
