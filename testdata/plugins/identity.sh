#!/bin/sh
# identity.sh: a plugin that says how it was started: its pid, process
# group and session, what its stdin is, and what reading it gives.
read -r stat < "/proc/$$/stat"
# After the command name in parentheses: state, ppid, pgrp, session.
set -- ${stat##*) }
if read -r line; then
	input="read $line"
else
	input="eof"
fi
echo "OK pid $$ pgid $3 sid $4 stdin $(readlink "/proc/$$/fd/0") $input"
