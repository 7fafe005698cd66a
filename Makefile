# vakt: `make run` runs vakt on the shipped checks.d, `make test` runs every test.
GO        ?= go
PLUGINS   ?= /usr/lib/nagios/plugins
BIN       := bin/vakt
SUDO      := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null && echo sudo)
export PATH := $(PATH):$(shell $(GO) env GOPATH)/bin

.PHONY: build test run check bench lint proto deps fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/vakt

# The monitoring-plugins the shipped checks.d and the tests run.
NEEDED    := check_dummy check_tcp check_disk check_load check_procs check_swap check_users

# deps installs what the shipped checks.d and the tests run for real:
# Debian's monitoring-plugins-basic. It waits for a dpkg lock held by
# another apt (unattended-upgrades on a fresh machine) rather than fail.
APT       := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600
deps:
	@for p in $(NEEDED); do [ -x $(PLUGINS)/$$p ] || missing=1; done; \
	if [ -n "$$missing" ]; then \
		echo "installing monitoring-plugins-basic"; \
		$(APT) update && $(APT) install -y monitoring-plugins-basic; \
	fi

test: deps
	$(GO) test -race -count=1 -timeout 20m ./...
	cd contrib/plugin-example && $(GO) test -race -count=1 ./...

# run starts the daemon on the shipped checks.d, its state in .state/; the
# baseline's tcp and http checks watch vakt's own HTTP API.
run: deps build
	VAKT_LOCAL_TCP_PORT=8484 VAKT_LOCAL_HTTP_URL=http://127.0.0.1:8484/healthz \
		./$(BIN) run --checks-dir checks.d --state-dir .state --listen 127.0.0.1:8484 --bb-listen 127.0.0.1:1984

# check runs the shipped checks.d once, as CI would, with what its tcp and
# http examples watch running: a vakt run on a scratch state dir.
check: deps build
	contrib/check-pack.sh ./$(BIN) checks.d

# bench prints each figure beside the limit measured in the same run; the
# results and the machine they ran on go in BENCHMARKS.md.
bench: deps build
	$(GO) test -run '^$$' -bench CheckPack1000 -benchtime 3x ./cmd/vakt
	$(GO) test -run '^$$' -bench 'ExecCheckDummy|RawForkExec|CheckThroughput' -benchtime 2s ./core/execute
	$(GO) test -run '^$$' -bench DaemonExecThroughput -benchtime 1x -v ./core/daemon
	$(GO) test -run '^$$' -bench Schedule100k -benchtime 1x ./core/schedule
	$(GO) test -run '^$$' -bench . ./core/store ./core/config
	$(GO) test -run '^$$' -bench Import50k -benchtime 1x ./core/importer/nagios
	$(GO) test -run '^$$' -bench Load100k -benchtime 1x ./core/definitions
	$(GO) test -run '^$$' -bench 'Validate100k|Run100k' -benchtime 1x -v ./cmd/vakt
	$(GO) test -run '^$$' -bench Burst2000 -benchtime 5x -v ./core/engine
	$(GO) test -run '^$$' -bench 'PassiveHTTP|NewPassiveBB' -benchtime 1x -v ./core/daemon
	$(GO) test -run TestDaemonSurvivesKill9 -count 1 -v ./cmd/vakt
	$(GO) test -run '^$$' -bench . -benchtime 300x ./core/chunk

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseOutput -fuzztime 30s ./core/check
	$(GO) test -run '^$$' -fuzz FuzzParsePerfdata -fuzztime 30s ./core/check
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime 30s ./core/config
	$(GO) test -run '^$$' -fuzz FuzzParseMessage -fuzztime 30s ./core/passive
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s ./core/timeperiod

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest ./...

clean:
	rm -rf bin

# proto regenerates plugins/proto/pluginv1 (installs Debian's protoc when missing).
proto:
	@command -v protoc >/dev/null || { $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y protobuf-compiler; }
	plugins/proto/generate.sh
