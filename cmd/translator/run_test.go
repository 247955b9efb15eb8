package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testKubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`

func TestRunFlags(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(testKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		qps        float32
		burst      int
		err        string
		pprof      string
		resync     time.Duration
		concurrent int
	}{
		{name: "the defaults lift client-go's 5 requests per second", qps: defaultQPS, burst: defaultBurst, pprof: "0", resync: 10 * time.Hour, concurrent: 2},
		{name: "the limits are set by flags", args: []string{"--kube-api-qps=75.5", "--kube-api-burst=150"}, qps: 75.5, burst: 150, pprof: "0", resync: 10 * time.Hour, concurrent: 2},
		{name: "a negative rate lifts the client-side limit", args: []string{"--kube-api-qps=-1", "--kube-api-burst=0"}, qps: -1, burst: 0, pprof: "0", resync: 10 * time.Hour, concurrent: 2},
		{name: "a positive rate without burst is refused", args: []string{"--kube-api-qps=10", "--kube-api-burst=0"}, err: "--kube-api-burst 0"},
		{name: "pprof, resync and concurrency are set by flags",
			args: []string{"--pprof-bind-address=127.0.0.1:6060", "--resync-period=30m", "--max-concurrent-reconciles=4"},
			qps:  defaultQPS, burst: defaultBurst, pprof: "127.0.0.1:6060", resync: 30 * time.Minute, concurrent: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, o := newRunCommand()
			if err := cmd.ParseFlags(append([]string{"--to=linkerd", "--kubeconfig=" + kubeconfig}, tt.args...)); err != nil {
				t.Fatal(err)
			}
			cfg, err := o.restConfig()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("restConfig error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.QPS != tt.qps || cfg.Burst != tt.burst {
				t.Errorf("QPS %v, Burst %d; want %v, %d", cfg.QPS, cfg.Burst, tt.qps, tt.burst)
			}
			if cfg.Host != "https://127.0.0.1:6443" || cfg.UserAgent != "meshbridge-controller" {
				t.Errorf("host %q, user agent %q: the kubeconfig was not used", cfg.Host, cfg.UserAgent)
			}
			if o.PprofBindAddress != tt.pprof || o.ResyncPeriod != tt.resync || o.MaxConcurrentReconciles != tt.concurrent {
				t.Errorf("pprof %q, resync %s, concurrency %d; want %q, %s, %d",
					o.PprofBindAddress, o.ResyncPeriod, o.MaxConcurrentReconciles, tt.pprof, tt.resync, tt.concurrent)
			}
		})
	}
}
