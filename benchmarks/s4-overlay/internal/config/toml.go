package config

import (
	"fmt"
	"os"

	"github.com/BurntSushi/toml"
)

// LoadTOMLOverrides reads HTTP settings from a TOML file. It exists in the S4
// benchmark overlay only: adding it adds exactly one module to go.mod/go.sum.
func LoadTOMLOverrides(path string, cfg *Config) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var doc struct {
		HTTP struct {
			Port int `toml:"port"`
		} `toml:"http"`
	}
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	if doc.HTTP.Port != 0 {
		cfg.HTTP.Port = doc.HTTP.Port
	}
	return Validate(*cfg)
}
