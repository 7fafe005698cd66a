// Package pluginv1 is the generated Go code of the vakt plugin protocol,
// major version 1 (plugin.proto beside it, package vakt.plugin.v1).
// Regenerate it with plugins/proto/generate.sh; do not edit the .pb.go
// files. Go plugins use it through github.com/vakt/vakt/plugins/sdk.
package pluginv1
