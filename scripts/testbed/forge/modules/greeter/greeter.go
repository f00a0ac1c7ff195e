// Package greeter is a private module of the gofront test bed's forge (git.gofront.test): served over
// ssh (git@git.gofront.test) and HTTPS (git smart HTTP and the GOPROXY protocol), never without
// credentials.
package greeter

// Hello returns the greeting of the private module.
func Hello(name string) string { return "hello " + name + " from git.gofront.test/team/greeter" }
