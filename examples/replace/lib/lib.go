// Package lib is the locally replaced module of the replace example; it has a
// dependency of its own so that its go.mod matters to the download step.
package lib

import "github.com/google/uuid"

// Tag returns a label with a random suffix.
func Tag(name string) string { return name + "-" + uuid.NewString()[:8] }
