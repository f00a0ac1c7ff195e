// Package cli wires the cobra command tree: serve, version and healthcheck.
// It owns flag parsing and configuration loading, nothing else.
package cli

import (
	"github.com/spf13/cobra"

	"example.com/inventory/internal/config"
)

// NewRoot returns the root command; version is the build version printed by
// the version subcommand.
func NewRoot(version string) *cobra.Command {
	var configFile, envFile string
	root := &cobra.Command{
		Use:           "inventory",
		Short:         "Inventory keeps track of items in stock",
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	root.PersistentFlags().StringVarP(&configFile, "config", "c", "", "path to a YAML configuration file")
	root.PersistentFlags().StringVar(&envFile, "env-file", "", "path to a .env file with INVENTORY_* variables")
	load := func(cmd *cobra.Command) (config.Config, error) {
		return config.Load(configFile, envFile, cmd.Flags())
	}
	root.AddCommand(newServeCmd(version, load))
	root.AddCommand(newVersionCmd(version))
	root.AddCommand(newHealthcheckCmd(load))
	return root
}

// loader loads the effective configuration for a command.
type loader func(cmd *cobra.Command) (config.Config, error)
