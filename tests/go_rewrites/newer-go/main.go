package main

func main() { println("built with a Go that is new enough") }
