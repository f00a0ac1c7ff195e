// Command safety is the program of one rewrite-safety case.
package main

import (
	"fmt"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
)

func main() { fmt.Println("safety", len(uuid.NewString()), chi.NewRouter() != nil) }
