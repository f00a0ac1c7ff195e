// Command ephemeral is the program of the ephemeral-builder test.
package main

import (
	"fmt"

	"example.com/ephemeral/internal/greet"
	"github.com/go-chi/chi/v5"
)

func main() { fmt.Println(greet.Hello(), chi.NewRouter() != nil) }
