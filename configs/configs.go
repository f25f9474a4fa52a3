// Package configs holds newsarc's example configuration files, embedded so
// that tests can decode every one of them.
package configs

import "embed"

// Files holds every YAML file of this directory.
//
//go:embed *.yaml
var Files embed.FS
