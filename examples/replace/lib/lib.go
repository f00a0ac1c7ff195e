// Package lib is the locally replaced module of the replace example; it has
// dependencies of its own so that its go.mod matters to the download step.
package lib

import (
	"strings"

	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// Tag returns a label with a random suffix.
func Tag(name string) string { return name + "-" + uuid.NewString()[:8] }

// Title returns s in title case (English rules).
func Title(s string) string { return cases.Title(language.English).String(s) }

// Labels remembers the most recent labels per name.
type Labels struct{ cache *lru.Cache }

// NewLabels keeps up to size names.
func NewLabels(size int) (*Labels, error) {
	c, err := lru.New(size)
	if err != nil {
		return nil, err
	}
	return &Labels{cache: c}, nil
}

// Get returns the label of name, creating it with Tag on first use.
func (l *Labels) Get(name string) string {
	if v, ok := l.cache.Get(strings.ToLower(name)); ok {
		if s, ok := v.(string); ok {
			return s
		}
	}
	t := Tag(name)
	l.cache.Add(strings.ToLower(name), t)
	return t
}
