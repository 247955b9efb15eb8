package controller

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/meshbridge/meshbridge/internal/kubetest"
)

// The integration tests share one control plane per package: a real kube-apiserver and etcd
// (envtest), with the Istio, Gateway API, SMI and meshbridge rbac CRDs installed. The
// binaries come from KUBEBUILDER_ASSETS or, when unset, from hack/envtest-assets.sh, which
// builds them from Go modules once per machine (about 5 minutes) into
// $MESHBRIDGE_ENVTEST_CACHE (default $HOME/.cache/meshbridge/envtest).
//
// MESHBRIDGE_SKIP_ENVTEST=1 skips the integration tests explicitly. Otherwise a control plane
// that cannot start fails every integration test with the reason; it never skips silently.

var (
	testCfg    *rest.Config
	testClient client.Client // direct to the API server, no cache
	testScheme = runtime.NewScheme()
	// envErr says why the control plane is missing; integration tests fail with it.
	envErr error
	// skipEnv is set by MESHBRIDGE_SKIP_ENVTEST=1.
	skipEnv bool
	// testAPIServer restarts the control plane's kube-apiserver (see restart_test.go).
	testAPIServer *apiServerProcess
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	ctrllog.SetLogger(testLogger())
	if os.Getenv("MESHBRIDGE_SKIP_ENVTEST") == "1" {
		skipEnv = true
		return m.Run()
	}
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme} {
		if err := add(testScheme); err != nil {
			panic(err)
		}
	}
	env, err := startEnv()
	if env != nil {
		// Registered before Start's error is looked at: a failed Start can leave etcd and
		// kube-apiserver running.
		defer func() {
			if testAPIServer != nil {
				testAPIServer.stop()
			}
			if err := env.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "stopping envtest:", err)
			}
		}()
	}
	if err != nil {
		envErr = err
		fmt.Fprintln(os.Stderr, "envtest:", err)
	}
	return m.Run()
}

// needEnv fails the test when the control plane is missing, or skips it when asked to.
func needEnv(t *testing.T) {
	t.Helper()
	if skipEnv {
		t.Skip("MESHBRIDGE_SKIP_ENVTEST=1: integration test skipped")
	}
	if envErr != nil {
		t.Fatalf("no envtest control plane: %v", envErr)
	}
}

func startEnv() (*envtest.Environment, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return nil, err
	}
	assets, err := envtestAssets(root)
	if err != nil {
		return nil, err
	}
	crds, err := kubetest.CRDPaths(root, false)
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDInstallOptions: envtest.CRDInstallOptions{
			Paths:              crds,
			ErrorIfPathMissing: true,
			Scheme:             testScheme,
		},
		ErrorIfCRDPathMissing: true,
		Scheme:                testScheme,
	}
	a := env.ControlPlane.GetAPIServer().Configure()
	// Without these kube-apiserver needs a default route to pick an address to advertise.
	a.Set("advertise-address", "127.0.0.1")
	a.Set("endpoint-reconciler-type", "none")
	cfg, err := env.Start()
	if err != nil {
		return env, fmt.Errorf("starting kube-apiserver and etcd from %s: %w", assets, err)
	}
	testCfg = cfg
	testClient, err = client.New(cfg, client.Options{Scheme: testScheme})
	if err != nil {
		return env, err
	}
	testAPIServer, err = findAPIServer()
	if err != nil {
		return env, err
	}
	// kube-apiserver delays the first create against a CRD for 2 s after it is Established.
	time.Sleep(2 * time.Second)
	return env, nil
}

// envtestAssets returns the directory holding kube-apiserver and etcd.
func envtestAssets(root string) (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return filepath.Abs(dir)
	}
	cache := os.Getenv("MESHBRIDGE_ENVTEST_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no KUBEBUILDER_ASSETS, no MESHBRIDGE_ENVTEST_CACHE and no home directory: %w", err)
		}
		cache = filepath.Join(home, ".cache", "meshbridge", "envtest")
	}
	script := filepath.Join(root, "hack", "envtest-assets.sh")
	cmd := exec.Command("bash", script, cache)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("building the envtest binaries with %s %s failed (set KUBEBUILDER_ASSETS to "+
			"a directory holding kube-apiserver and etcd, or MESHBRIDGE_SKIP_ENVTEST=1 to skip): %w\n%s",
			script, cache, err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}
