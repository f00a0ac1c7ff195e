package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadUsesDefaultsWithoutFile(t *testing.T) {
	cfg, err := Load("", "", nil)
	require.NoError(t, err)
	assert.Equal(t, 8080, cfg.HTTP.Port)
	assert.Equal(t, 5*time.Second, cfg.HTTP.ShutdownTimeout)
	assert.Equal(t, "/metrics", cfg.Metrics.Path)
	assert.Equal(t, time.Hour, cfg.Auth.TokenTTL)
}

func TestLoadPrecedenceFileThenEnvThenFlag(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "inventory.yaml")
	require.NoError(t, os.WriteFile(file, []byte("http:\n  port: 7000\nlog:\n  level: warn\n"), 0o600))

	cfg, err := Load(file, "", nil)
	require.NoError(t, err)
	assert.Equal(t, 7000, cfg.HTTP.Port)
	assert.Equal(t, "warn", cfg.Log.Level)

	t.Setenv("INVENTORY_HTTP_PORT", "7100")
	cfg, err = Load(file, "", nil)
	require.NoError(t, err)
	assert.Equal(t, 7100, cfg.HTTP.Port)

	flags := pflag.NewFlagSet("test", pflag.ContinueOnError)
	flags.Int("port", 0, "")
	require.NoError(t, flags.Parse([]string{"--port=7200"}))
	cfg, err = Load(file, "", flags)
	require.NoError(t, err)
	assert.Equal(t, 7200, cfg.HTTP.Port)
}

func TestLoadRejectsInvalidValues(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"port out of range", "http:\n  port: 70000\n", "Config.HTTP.Port"},
		{"unknown log level", "log:\n  level: loud\n", "Config.Log.Level"},
		{"short secret", "auth:\n  secret: short\n", "Config.Auth.Secret"},
		{"metrics path without slash", "metrics:\n  path: metrics\n", "Config.Metrics.Path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "c.yaml")
			require.NoError(t, os.WriteFile(file, []byte(tc.yaml), 0o600))
			_, err := Load(file, "", nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestYAMLOmitsSecrets(t *testing.T) {
	cfg, err := Load("", "", nil)
	require.NoError(t, err)
	out, err := cfg.YAML()
	require.NoError(t, err)
	assert.Contains(t, out, "port: 8080")
	assert.NotContains(t, out, cfg.Auth.Secret)
}

func TestLoadReadsEnvFileWithoutOverridingEnvironment(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), ".env")
	require.NoError(t, os.WriteFile(envFile, []byte("INVENTORY_METRICS_PORT=9100\nINVENTORY_LOG_LEVEL=debug\n"), 0o600))
	t.Setenv("INVENTORY_LOG_LEVEL", "error")
	t.Cleanup(func() { _ = os.Unsetenv("INVENTORY_METRICS_PORT") })
	cfg, err := Load("", envFile, nil)
	require.NoError(t, err)
	assert.Equal(t, 9100, cfg.Metrics.Port)
	assert.Equal(t, "error", cfg.Log.Level)

	_, err = Load("", filepath.Join(t.TempDir(), "missing.env"), nil)
	assert.Error(t, err)
}
