module example.com/app

go 1.22

require (
	example.com/lib v0.0.0
	github.com/dustin/go-humanize v1.0.0
	github.com/spf13/pflag v1.0.6-0.20210604000000-d5e0c0615ace
)

require (
	github.com/google/uuid v1.3.0 // indirect
	github.com/hashicorp/golang-lru v0.5.4 // indirect
	golang.org/x/text v0.7.0 // indirect
)

replace example.com/lib => ./lib
