module example.com/handapp

go 1.22

require (
	git.gofront.test/team/greeter v0.1.0
	github.com/google/uuid v1.3.0
)
