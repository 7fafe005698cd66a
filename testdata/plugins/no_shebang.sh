# no_shebang.sh: executable but with no #! line, so execve refuses it
# (ENOEXEC); a shell would have run it, vakt does not.
echo "OK should not run"
