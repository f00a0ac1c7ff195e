module example.com/worker

go 1.22

require golang.org/x/sync v0.1.0
