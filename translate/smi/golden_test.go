package smi

// Every test package imports golden so that `go test ./... -update` is accepted everywhere.
import _ "github.com/meshbridge/meshbridge/internal/golden"
