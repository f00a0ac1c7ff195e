// Command worker is the batch member of the go.work example: a cobra CLI that
// runs rate-limited jobs concurrently and prints their results in order.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"example.com/shared"
)

func main() {
	var jobs int
	var perSecond float64
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Runs the greeting jobs",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), jobs, perSecond)
		},
	}
	cmd.Flags().IntVarP(&jobs, "jobs", "n", 3, "number of jobs")
	cmd.Flags().Float64Var(&perSecond, "rate", 1000, "jobs started per second")
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		os.Exit(1)
	}
}

func run(ctx context.Context, jobs int, perSecond float64) error {
	limiter := rate.NewLimiter(rate.Limit(perSecond), 1)
	g, ctx := errgroup.WithContext(ctx)
	results := make([]string, jobs)
	for i := range results {
		i := i
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		g.Go(func() error {
			results[i] = fmt.Sprintf("%s #%d", shared.Greeting("worker"), i)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, r := range results {
		fmt.Println(r)
	}
	return nil
}
