//go:build tools

// Package tools pins the Pulumi CLI's main package as a dependency of this wrapper module,
// so that `go mod tidy` keeps its requirements and `go build` can build it from the module
// cache. The file is never compiled (the build tag is never set).
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
