// Package shared holds what both workspace services use: request ids, a
// greeting and the logger setup, so that a change here must rebuild both
// binaries.
package shared

import (
	"github.com/google/uuid"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewID returns a random request id.
func NewID() string { return uuid.NewString() }

// Greeting is the text both services print.
func Greeting(who string) string { return "hello from " + who }

// NewLogger returns a JSON logger on stderr tagged with the service name; debug
// enables debug-level entries.
func NewLogger(service string, debug bool) (*zap.Logger, error) {
	cfg := zap.NewProductionConfig()
	if debug {
		cfg.Level = zap.NewAtomicLevelAt(zapcore.DebugLevel)
	}
	cfg.OutputPaths = []string{"stderr"}
	log, err := cfg.Build()
	if err != nil {
		return nil, err
	}
	return log.With(zap.String("service", service)), nil
}
