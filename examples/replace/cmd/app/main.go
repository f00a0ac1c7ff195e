// Command app uses a module pulled in with `replace example.com/lib => ./lib`.
package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"example.com/lib"
)

var version = "dev"

func main() {
	name := pflag.String("name", "replace", "label prefix")
	showVersion := pflag.Bool("version", false, "print the version")
	pflag.Parse()
	if *showVersion {
		fmt.Println("app", version)
		return
	}
	tag := lib.Tag(*name)
	fmt.Println(tag, strings.HasPrefix(tag, *name+"-"))
}
