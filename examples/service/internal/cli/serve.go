package cli

import (
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"example.com/inventory/internal/logging"
	"example.com/inventory/internal/server"
)

func newServeCmd(version string, load loader) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP API and the metrics endpoint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			log, err := logging.New(cfg.Log)
			if err != nil {
				return err
			}
			defer func() { _ = log.Sync() }()
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			log.Info("starting", zap.String("version", version), zap.Int("port", cfg.HTTP.Port))
			return server.Run(ctx, cfg, log, version)
		},
	}
	cmd.Flags().Int("port", 0, "HTTP port (overrides config)")
	cmd.Flags().String("log-level", "", "log level: debug, info, warn, error")
	return cmd
}
