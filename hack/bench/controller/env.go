package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// startEnv starts kube-apiserver and etcd with the CRDs of Istio, Gateway API, meshbridge's
// rbac.istio.io kinds and Linkerd installed, and writes a kubeconfig for the controller.
func startEnv(cfg config, dir string) (*envtest.Environment, string, error) {
	assets := cfg.assets
	if assets == "" {
		cache := os.Getenv("MESHBRIDGE_ENVTEST_CACHE")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return nil, "", err
			}
			cache = filepath.Join(home, ".cache", "meshbridge", "envtest")
		}
		out, err := exec.Command("bash", filepath.Join(cfg.root, "hack", "envtest-assets.sh"), cache).Output()
		if err != nil {
			return nil, "", fmt.Errorf("building kube-apiserver and etcd with hack/envtest-assets.sh: %w", err)
		}
		assets = strings.TrimSpace(string(out))
	}
	crds, err := crdPaths(cfg.root)
	if err != nil {
		return nil, "", err
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme} {
		if err := add(scheme); err != nil {
			return nil, "", err
		}
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDInstallOptions:     envtest.CRDInstallOptions{Paths: crds, ErrorIfPathMissing: true, Scheme: scheme},
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
	}
	a := env.ControlPlane.GetAPIServer().Configure()
	a.Set("advertise-address", "127.0.0.1")
	a.Set("endpoint-reconciler-type", "none")
	a.Set("service-cluster-ip-range", "10.0.0.0/12") // envtest's default /24 holds 254 Services
	if _, err := env.Start(); err != nil {
		_ = env.Stop()
		return nil, "", fmt.Errorf("starting kube-apiserver and etcd from %s: %w", assets, err)
	}
	user, err := env.AddUser(envtest.User{Name: "meshbridge-bench", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		_ = env.Stop()
		return nil, "", err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		_ = env.Stop()
		return nil, "", err
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		_ = env.Stop()
		return nil, "", err
	}
	return env, path, nil
}

// crdPaths lists the CRDs to install, as the controller's integration tests do.
func crdPaths(root string) ([]string, error) {
	istio, err := moduleDir(root, "istio.io/api")
	if err != nil {
		return nil, err
	}
	gw, err := moduleDir(root, "sigs.k8s.io/gateway-api")
	if err != nil {
		return nil, err
	}
	paths := []string{
		filepath.Join(istio, "kubernetes", "customresourcedefinitions.gen.yaml"),
		filepath.Join(gw, "config", "crd", "standard"),
		filepath.Join(root, "config", "crd", "rbac"),
		filepath.Join(root, "config", "crd", "linkerd"),
	}
	if smi := filepath.Join(root, "..", "shared", "crds", "smi", "osm-v1.2.4"); isDir(smi) {
		paths = append(paths, smi)
	}
	return paths, nil
}

func moduleDir(root, module string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w: %s", module, err, stderr.String())
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no folder", module)
	}
	return m.Dir, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
