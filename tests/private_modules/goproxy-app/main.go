package main

import (
	"fmt"

	"git.gofront.test/team/secretmod"
)

func main() { fmt.Println(secretmod.Secret()) }
