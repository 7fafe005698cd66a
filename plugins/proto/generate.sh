#!/bin/sh
# Regenerates the Go code of the vakt plugin protocol from
# plugins/proto/pluginv1/plugin.proto. Run from anywhere (make proto calls it).
#
# Needs protoc (Debian: apt-get install -y protobuf-compiler, which also
# ships the well-known types in /usr/include). Installs the pinned
# protoc-gen-go and protoc-gen-go-grpc with go install when they are missing
# or at another version.
set -eu

PROTOC_GEN_GO_VERSION=v1.36.12     # matches google.golang.org/protobuf in go.mod
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2

here=$(cd "$(dirname "$0")" && pwd)
gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
PATH="$gobin:$PATH"
export PATH

if ! command -v protoc >/dev/null 2>&1; then
	echo "generate.sh: protoc not found; install it (Debian: apt-get install -y protobuf-compiler)" >&2
	exit 1
fi

# installed_version prints the version a protoc plugin reports, or nothing.
installed_version() {
	command -v "$1" >/dev/null 2>&1 || return 0
	"$1" --version 2>/dev/null | awk '{print $NF}'
}

if [ "$(installed_version protoc-gen-go)" != "$PROTOC_GEN_GO_VERSION" ]; then
	echo "generate.sh: installing protoc-gen-go@$PROTOC_GEN_GO_VERSION" >&2
	GOFLAGS= go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
fi
# protoc-gen-go-grpc prints its version without the leading v.
if [ "v$(installed_version protoc-gen-go-grpc)" != "$PROTOC_GEN_GO_GRPC_VERSION" ]; then
	echo "generate.sh: installing protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION" >&2
	GOFLAGS= go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"
fi

cd "$here"
protoc \
	--proto_path=. \
	--go_out=. --go_opt=paths=source_relative \
	--go-grpc_out=. --go-grpc_opt=paths=source_relative \
	pluginv1/plugin.proto
echo "generate.sh: regenerated $here/pluginv1" >&2
