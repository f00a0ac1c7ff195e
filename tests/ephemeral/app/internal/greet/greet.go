// Package greet says hello with an id.
package greet

import (
	"fmt"

	"github.com/google/uuid"
)

// Hello returns a greeting with the length of a fresh id.
func Hello() string { return fmt.Sprint("ephemeral ", len(uuid.NewString())) }
