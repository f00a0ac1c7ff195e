// Command hello prints a name-based (SHA-1, version 5) UUID computed with
// github.com/google/uuid, so the test can check a real dependency was compiled in.
package main

import (
	"fmt"

	"github.com/google/uuid"
)

func main() {
	id := uuid.NewSHA1(uuid.NameSpaceDNS, []byte("gofront.example"))
	fmt.Printf("hello from scratch: %s\n", id)
}
