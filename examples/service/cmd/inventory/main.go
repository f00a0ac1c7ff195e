// Command inventory is a small stock-keeping HTTP service used as the example
// workload for gofront: it has a realistic dependency graph (router, CLI,
// configuration, metrics, logging, validation, JWT) so that Dockerfile
// rewrites can be measured on something that looks like a real Go service.
package main

import (
	"os"

	"example.com/inventory/internal/cli"
)

// version is injected at build time with
// -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := cli.NewRoot(version).Execute(); err != nil {
		os.Exit(1)
	}
}
