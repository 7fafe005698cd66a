#!/bin/sh
# not_executable.sh: a plugin without the execute bit.
echo "OK should not run"
