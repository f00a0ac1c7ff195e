module example.com/proxyapp

go 1.22

require git.gofront.test/team/secretmod v0.1.0
