#!/usr/bin/env bash
# first-run-test.sh: the first run of a new user, on this machine. It makes
# a fresh clone of this repository's HEAD, removes monitoring-plugins-basic
# when it is installed, runs `make run` there (which must install it again),
# waits until `vakt status --all` shows every shipped check run and OK, and
# stops the daemon. Exit 0 when every check is OK; 1 otherwise. It needs
# root or sudo (apt-get) and 127.0.0.1:8484 and :1984 free.
#
#   contrib/first-run-test.sh [TIMEOUT_SECONDS]   # default 1200: the first
#                                                 # runs spread over the interval (15m at most)
set -eu
limit=${1:-1200}
repo=$(cd "$(dirname "$0")/.." && pwd)
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM -- "-$pid" 2>/dev/null || true # make and vakt run: their own session
		for _ in $(seq 100); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
fail() { echo "first-run-test: FAIL: $*" >&2; [ -f "$tmp/run.log" ] && tail -20 "$tmp/run.log" >&2; exit 1; }

if (exec 3<>/dev/tcp/127.0.0.1/8484) 2>/dev/null; then fail "127.0.0.1:8484 is in use"; fi

git clone --quiet "$repo" "$tmp/vakt"
cd "$tmp/vakt"
if dpkg-query -W -f '${Status}' monitoring-plugins-basic 2>/dev/null | grep -q 'install ok installed'; then
	echo "first-run-test: removing monitoring-plugins-basic"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 remove -y -q monitoring-plugins-basic >/dev/null
fi
[ ! -x /usr/lib/nagios/plugins/check_disk ] || fail "check_disk is still installed"

echo "first-run-test: make run in $tmp/vakt"
setsid make run >"$tmp/run.log" 2>&1 &
pid=$!
vakt=$tmp/vakt/bin/vakt
start=$(date +%s)
while :; do
	sleep 5
	kill -0 "$pid" 2>/dev/null || fail "make run exited"
	[ $(($(date +%s) - start)) -lt "$limit" ] || fail "not every check ran within $limit s"
	[ -x "$vakt" ] || continue
	out=$("$vakt" status --all 2>&1) || true
	echo "$out" | grep -q '^CHECK ' || continue          # not serving yet
	echo "$out" | grep -q ' PENDING ' && continue         # a check has not run yet
	break
done
echo "$out"
bad=$(echo "$out" | awk 'NR > 1 && $2 != "OK"')
total=$(echo "$out" | awk 'NR > 1' | wc -l)
[ -z "$bad" ] || fail "checks not OK:
$bad"
[ "$total" -gt 0 ] || fail "no checks"
"$vakt" status >/dev/null || fail "vakt status exits $?"
echo "first-run-test: OK: all $total shipped checks OK after $(($(date +%s) - start)) s"
