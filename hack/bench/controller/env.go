package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/meshbridge/meshbridge/internal/kubetest"
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
	crds, err := kubetest.CRDPaths(cfg.root, true)
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
