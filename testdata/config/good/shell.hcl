# shell = true runs command, one string, with /bin/sh -c.

check "tmp-files" {
  shell   = true
  command = "test $(ls /tmp | wc -l) -lt 10000 && echo 'OK - few files' || { echo 'WARNING - many files'; exit 1; }"
}
