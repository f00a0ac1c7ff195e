// Command subdir lives in app/ of the build context, not at its root.
package main

import (
	"fmt"

	"github.com/google/uuid"
)

var version = "dev"

func main() {
	fmt.Println("subdir", version, len(uuid.NewString()))
}
