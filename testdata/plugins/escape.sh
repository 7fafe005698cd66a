#!/bin/sh
# escape.sh: a plugin that leaves a child in a session of its own (out of
# reach of a process group kill) holding stdout open, prints the child's
# pid and exits OK as soon as the child has left the group.
dir=$(mktemp -d) || exit 3
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/ready" || exit 3
setsid sh -c 'echo "$$" > "$1"; exec sleep 600' escape "$dir/ready" &
read -r pid < "$dir/ready"
echo "OK escaped child $pid"
exit 0
