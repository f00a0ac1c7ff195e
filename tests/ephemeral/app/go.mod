module example.com/ephemeral

go 1.22

require (
	github.com/go-chi/chi/v5 v5.0.7
	github.com/google/uuid v1.3.0
)
