#!/bin/sh
# sleep.sh SECONDS: a plugin that hangs for SECONDS, then says OK.
echo "OK started"
sleep "$1"
echo "OK slept $1"
