module example.com/app

go 1.22

require (
	example.com/shared v0.0.0
	github.com/google/uuid v1.3.0
)

replace example.com/shared => ../shared
