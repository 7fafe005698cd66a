#!/bin/sh
# check-pack.sh BIN DIR: `make check`. Runs `BIN check DIR` once, as CI
# would, with what the shipped examples watch running: vakt's own HTTP API,
# served by a `BIN run` on a scratch state dir (a free port on loopback)
# for as long as the check takes. Exits with vakt check's exit code.
set -eu
bin=${1:?usage: check-pack.sh BIN DIR}
dir=${2:?usage: check-pack.sh BIN DIR}
tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
mkdir "$tmp/checks"
printf 'check "api" {\n  command = ["/usr/lib/nagios/plugins/check_dummy", "0", "serving the API"]\n}\n' >"$tmp/checks/api.hcl"
"$bin" run --checks-dir "$tmp/checks" --state-dir "$tmp/state" --listen 127.0.0.1:0 --bb-listen off \
	--log-format json --log-level info 2>"$tmp/log" &
pid=$!
addr=
for _ in $(seq 300); do
	addr=$(sed -n 's/.*"http_addr":"\([^"]*\)".*"message":"vakt running".*/\1/p' "$tmp/log")
	[ -n "$addr" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/log" >&2; echo "check-pack.sh: vakt run did not start" >&2; exit 3; }
	sleep 0.1
done
[ -n "$addr" ] || { cat "$tmp/log" >&2; echo "check-pack.sh: vakt run did not start in 30 s" >&2; exit 3; }
code=0
VAKT_LOCAL_TCP_PORT=${addr##*:} VAKT_LOCAL_HTTP_URL=http://$addr/healthz "$bin" check "$dir" || code=$?
exit "$code"
