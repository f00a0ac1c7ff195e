// Package server runs the API and metrics listeners until the context ends,
// then shuts both down gracefully. It builds the object graph; it has no
// request handling of its own.
package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"example.com/inventory/internal/api"
	"example.com/inventory/internal/config"
	"example.com/inventory/internal/metrics"
	"example.com/inventory/internal/store"
)

// Run serves until ctx is cancelled or a listener fails.
func Run(ctx context.Context, cfg config.Config, log *zap.Logger, version string) error {
	m := metrics.New(version)
	a := api.New(store.New(nil), log, m, api.NewAuthenticator(cfg.Auth, nil))
	servers := []*http.Server{{
		Addr:        fmt.Sprintf(":%d", cfg.HTTP.Port),
		Handler:     a.Router(cfg.HTTP),
		ReadTimeout: cfg.HTTP.ReadTimeout,
	}}
	if cfg.Metrics.Enabled {
		mux := http.NewServeMux()
		mux.Handle(cfg.Metrics.Path, m.Handler())
		servers = append(servers, &http.Server{
			Addr:        fmt.Sprintf(":%d", cfg.Metrics.Port),
			Handler:     mux,
			ReadTimeout: cfg.HTTP.ReadTimeout,
		})
	}

	g, gctx := errgroup.WithContext(ctx)
	for _, srv := range servers {
		srv := srv
		g.Go(func() error {
			log.Info("listening", zap.String("addr", srv.Addr))
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("listen %s: %w", srv.Addr, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
		defer cancel()
		var errs []error
		for _, srv := range servers {
			errs = append(errs, srv.Shutdown(shutdownCtx))
		}
		log.Info("stopped")
		return errors.Join(errs...)
	})
	return g.Wait()
}
