#!/bin/sh
# printf.sh CODE FORMAT: a plugin that prints FORMAT with printf (so octal
# escapes such as \000 or \377 give any byte) and exits with CODE.
printf "$2"
exit "$1"
