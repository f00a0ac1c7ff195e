// Command app uses a module pulled in with `replace example.com/lib => ./lib`.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/spf13/pflag"

	"example.com/lib"
)

var version = "dev"

func main() {
	name := pflag.String("name", "replace", "label prefix")
	showVersion := pflag.Bool("version", false, "print the version")
	title := pflag.Bool("title", false, "print the name in title case")
	size := pflag.Uint64("size", 0, "print a byte count in human units")
	pflag.Parse()
	switch {
	case *showVersion:
		fmt.Println("app", version)
	case *title:
		fmt.Println(lib.Title(*name))
	case *size > 0:
		fmt.Println(humanize.Bytes(*size))
	default:
		labels, err := lib.NewLabels(16)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		tag := labels.Get(*name)
		fmt.Println(tag, strings.HasPrefix(tag, *name+"-") && labels.Get(*name) == tag)
	}
}
