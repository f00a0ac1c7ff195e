// Package shared holds what both workspace services use: request ids and a
// greeting, so that a change here must rebuild both binaries.
package shared

import "github.com/google/uuid"

// NewID returns a random request id.
func NewID() string { return uuid.NewString() }

// Greeting is the text both services print.
func Greeting(who string) string { return "hello from " + who }
