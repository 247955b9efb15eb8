package crdvalidate

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModuleDir returns the directory of a module the build uses (from go.mod), as
// `go list -m` reports it, so that tests can load the CRDs a module ships, e.g.
// filepath.Join(dir, "config/crd/standard") for sigs.k8s.io/gateway-api. It needs the go command
// and the module in the module cache; tests should skip when it fails.
func ModuleDir(module string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w: %s", module, err, strings.TrimSpace(stderr.String()))
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("go list -m %s: module is not downloaded", module)
	}
	return dir, nil
}

// SharedCRDs returns <repo>/../shared/crds/<rel>: the consumers' official CRDs, kept outside
// the repository. The repository root is found by walking up from the working directory to
// go.mod. It returns an error when the directory is absent; tests should t.Skip with it.
func SharedCRDs(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
	p := filepath.Join(filepath.Dir(dir), "shared", "crds", rel)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("shared CRDs not available: %w", err)
	}
	return p, nil
}
