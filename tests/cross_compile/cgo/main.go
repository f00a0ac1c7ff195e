// Command app prints the architecture it was compiled for.
package main

import (
	"fmt"
	"runtime"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
)

func main() { fmt.Println("cross", runtime.GOARCH, len(uuid.NewString()), chi.NewRouter() != nil) }
