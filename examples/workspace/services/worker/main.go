// Command worker is the batch member of the go.work example.
package main

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"example.com/shared"
)

func main() {
	g, _ := errgroup.WithContext(context.Background())
	results := make([]string, 3)
	for i := range results {
		i := i
		g.Go(func() error {
			results[i] = fmt.Sprintf("%s #%d", shared.Greeting("worker"), i)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Println(r)
	}
}
