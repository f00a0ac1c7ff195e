package main

import "example.com/lib"

var version = "dev"

func main() { println(lib.ID(), version) }
