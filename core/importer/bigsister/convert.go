// Package bigsister converts a Big Sister agent configuration into vakt HCL.
package bigsister

import (
	"errors"

	"github.com/vakt/vakt/core/importer"
)

// Convert reads a Big Sister configuration.
func Convert(path string) (*importer.Result, error) {
	return nil, errors.New("not yet")
}
