#!/bin/sh
# killself.sh SIGNAL: a plugin that prints a line and kills itself with
# SIGNAL (a name such as KILL or TERM).
echo "OK about to die"
kill -s "$1" $$
echo "still alive after kill -s $1"
exit 0
