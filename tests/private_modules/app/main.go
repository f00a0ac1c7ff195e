package main

import (
	"fmt"

	"git.gofront.test/team/greeter"
	"github.com/google/uuid"
)

func main() { fmt.Println(greeter.Hello("gofront"), len(uuid.NewString())) }
