module example.com/lib

go 1.22

require (
	github.com/google/uuid v1.3.0
	github.com/hashicorp/golang-lru v0.5.4
	golang.org/x/text v0.7.0
)
