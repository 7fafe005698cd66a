#!/bin/sh
# stderr.sh CODE TEXT: a plugin that prints TEXT on stderr only and exits
# with CODE.
printf '%s\n' "$2" >&2
exit "$1"
