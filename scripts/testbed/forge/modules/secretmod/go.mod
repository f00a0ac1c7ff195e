module git.gofront.test/team/secretmod

go 1.22
