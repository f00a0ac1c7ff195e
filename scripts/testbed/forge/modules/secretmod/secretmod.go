// Package secretmod is a private module of the gofront test bed's forge (git.gofront.test), meant for
// the authenticated GOPROXY endpoint https://git.gofront.test/goproxy (also served over git).
package secretmod

// Secret returns the greeting of the private module.
func Secret() string { return "secretmod v0.1.0 from git.gofront.test" }
