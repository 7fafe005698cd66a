#!/bin/sh
# env.sh: a plugin that says OK and lists its environment, sorted, as long
# output.
echo "OK environment follows"
env | LC_ALL=C sort
