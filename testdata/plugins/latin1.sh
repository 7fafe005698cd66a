#!/bin/sh
# latin1.sh: a plugin from an old agent that prints Latin-1 (ISO-8859-1),
# not UTF-8: output, long output and a perfdata label, and exits 1.
printf 'WARNING - caf\351 \344\366\374 | '"'"'temp \260C'"'"'=31.5;30;40\n'
printf 'Fl\344che voll: 91%%\n'
exit 1
