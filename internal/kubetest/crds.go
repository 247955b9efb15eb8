package kubetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// CRDPaths lists the CRDs the controller needs installed, for the repository at root: Istio's
// from the istio.io/api module, Gateway API's standard channel from its module, meshbridge's
// rbac.istio.io CRDs, and SMI's as OSM ships them when ../shared sits beside the repository.
// The Linkerd CRDs (config/crd/linkerd) come on top when withLinkerd is set.
func CRDPaths(root string, withLinkerd bool) ([]string, error) {
	istio, err := ModuleDir(root, "istio.io/api")
	if err != nil {
		return nil, err
	}
	gw, err := ModuleDir(root, "sigs.k8s.io/gateway-api")
	if err != nil {
		return nil, err
	}
	paths := []string{
		filepath.Join(istio, "kubernetes", "customresourcedefinitions.gen.yaml"),
		filepath.Join(gw, "config", "crd", "standard"),
		filepath.Join(root, "config", "crd", "rbac"),
	}
	if withLinkerd {
		paths = append(paths, filepath.Join(root, "config", "crd", "linkerd"))
	}
	if smi := filepath.Join(root, "..", "shared", "crds", "smi", "osm-v1.2.4"); isDir(smi) {
		paths = append(paths, smi)
	}
	return paths, nil
}

// ModuleDir finds a module's folder, downloading it if needed (go list -m prints an empty Dir
// for a module missing from the module cache).
func ModuleDir(root, module string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w: %s", module, err, stderr.String())
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", fmt.Errorf("go mod download %s: %w", module, err)
	}
	if m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no folder: %s", module, m.Error)
	}
	return m.Dir, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
