module example.com/shared

go 1.22

require (
	github.com/google/uuid v1.3.0
	go.uber.org/zap v1.23.0
)

require (
	go.uber.org/atomic v1.10.0 // indirect
	go.uber.org/multierr v1.6.0 // indirect
)
