module git.gofront.test/team/greeter

go 1.22
