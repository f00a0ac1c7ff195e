// Package config loads the service configuration from defaults, an optional
// YAML file, INVENTORY_* environment variables (optionally from a .env file) and command-line flags (in
// increasing precedence) and validates it. It does not watch for changes.
package config

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/joho/godotenv"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"
)

// Config is the whole service configuration.
type Config struct {
	HTTP    HTTP    `mapstructure:"http" yaml:"http"`
	Metrics Metrics `mapstructure:"metrics" yaml:"metrics"`
	Log     Log     `mapstructure:"log" yaml:"log"`
	Auth    Auth    `mapstructure:"auth" yaml:"auth"`
}

// HTTP configures the API listener.
type HTTP struct {
	Port            int           `mapstructure:"port" yaml:"port" validate:"min=1,max=65535"`
	ReadTimeout     time.Duration `mapstructure:"read_timeout" yaml:"read_timeout" validate:"min=0"`
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout" yaml:"shutdown_timeout" validate:"min=0"`
	CORSOrigins     []string      `mapstructure:"cors_origins" yaml:"cors_origins"`
	RatePerSecond   float64       `mapstructure:"rate_per_second" yaml:"rate_per_second" validate:"gt=0"`
	RateBurst       int           `mapstructure:"rate_burst" yaml:"rate_burst" validate:"min=1"`
}

// Metrics configures the Prometheus endpoint (served on its own port).
type Metrics struct {
	Enabled bool   `mapstructure:"enabled" yaml:"enabled"`
	Port    int    `mapstructure:"port" yaml:"port" validate:"min=1,max=65535"`
	Path    string `mapstructure:"path" yaml:"path" validate:"startswith=/"`
}

// Log configures zap.
type Log struct {
	Level  string `mapstructure:"level" yaml:"level" validate:"oneof=debug info warn error"`
	Format string `mapstructure:"format" yaml:"format" validate:"oneof=json console"`
}

// Auth configures JWT issuing and checking for write endpoints.
type Auth struct {
	Secret   string        `mapstructure:"secret" yaml:"-" validate:"min=16"`
	Issuer   string        `mapstructure:"issuer" yaml:"issuer" validate:"required"`
	TokenTTL time.Duration `mapstructure:"token_ttl" yaml:"token_ttl" validate:"min=1s"`
	// AdminPasswordHash is a bcrypt hash; empty disables the token endpoint.
	AdminPasswordHash string `mapstructure:"admin_password_hash" yaml:"-"`
}

// defaults are applied before any file, environment variable or flag.
var defaults = map[string]any{
	"http.port":             8080,
	"http.read_timeout":     "10s",
	"http.shutdown_timeout": "5s",
	"http.cors_origins":     []string{"*"},
	"http.rate_per_second":  50.0,
	"http.rate_burst":       100,
	"metrics.enabled":       true,
	"metrics.port":          9090,
	"metrics.path":          "/metrics",
	"log.level":             "info",
	"log.format":            "json",
	"auth.secret":           "change-me-change-me",
	"auth.issuer":           "inventory",
	"auth.token_ttl":        "1h",
}

// flagKeys maps command-line flag names to configuration keys.
var flagKeys = map[string]string{
	"port":      "http.port",
	"log-level": "log.level",
}

// Load builds the configuration. file (YAML) and envFile (KEY=value lines,
// loaded into the process environment without overriding variables already
// set) may be empty; flags may be nil. Only flags that were set on the
// command line override other sources.
func Load(file, envFile string, flags *pflag.FlagSet) (Config, error) {
	if envFile != "" {
		if err := godotenv.Load(envFile); err != nil {
			return Config{}, fmt.Errorf("config: env file %s: %w", envFile, err)
		}
	}
	v := viper.New()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	v.SetEnvPrefix("INVENTORY")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if file != "" {
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("config: reading %s: %w", file, err)
		}
	}
	if flags != nil {
		for name, key := range flagKeys {
			if f := flags.Lookup(name); f != nil && f.Changed {
				if err := v.BindPFlag(key, f); err != nil {
					return Config{}, fmt.Errorf("config: flag --%s: %w", name, err)
				}
			}
		}
	}
	var cfg Config
	if err := v.Unmarshal(&cfg); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if err := Validate(cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate checks field constraints and reports every violation at once.
func Validate(cfg Config) error {
	err := validator.New().Struct(cfg)
	if err == nil {
		return nil
	}
	verrs, ok := err.(validator.ValidationErrors)
	if !ok {
		return fmt.Errorf("config: %w", err)
	}
	msgs := make([]string, 0, len(verrs))
	for _, fe := range verrs {
		msgs = append(msgs, fmt.Sprintf("%s fails %q", fe.Namespace(), fe.Tag()))
	}
	return fmt.Errorf("config: invalid: %s", strings.Join(msgs, "; "))
}

// YAML renders the configuration without secrets.
func (c Config) YAML() (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}
