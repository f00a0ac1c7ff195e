module example.com/worker

go 1.22

require (
	github.com/spf13/cobra v1.6.1
	golang.org/x/sync v0.1.0
	golang.org/x/time v0.3.0
)

require (
	github.com/inconshreveable/mousetrap v1.0.0 // indirect
	github.com/spf13/pflag v1.0.6-0.20210604000000-d5e0c0615ace // indirect
)
