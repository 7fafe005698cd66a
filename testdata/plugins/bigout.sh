#!/bin/sh
# bigout.sh BYTES: a plugin that prints one OK line and then BYTES bytes of
# "x" lines.
echo "OK big output follows"
yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -c "$1"
exit 0
