package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/meshbridge/meshbridge/controller"
	"github.com/meshbridge/meshbridge/translate"
)

type runOptions struct {
	controller.Options
	kubeconfig, kubeContext string
	// qps and burst limit each API client's requests on the client side (client-go's token
	// bucket); qps < 0 lifts the limit.
	qps       float32
	burst     int
	logFormat string
	verbosity int
}

// Client-side request limits. client-go's own default, 5 requests/s with bursts of 10, holds a
// large cluster's first sync back for many minutes: it writes one request per translated
// object. These defaults let it create ~27k objects for 10k Istio objects in a couple of
// minutes and still keep one controller from monopolizing the API server; API Priority and
// Fairness on the server side bounds it in any case.
const (
	defaultQPS   = 200
	defaultBurst = 400
)

// defaultGCPercent is the controller's GOGC unless the environment sets one. Most of its memory
// is its informer caches, which live as long as it does, and it allocates little per
// translation: collecting when the heap has grown by half, not doubled (Go's default), keeps
// its resident memory near 1.5 times its live data for a little more CPU spent collecting.
const defaultGCPercent = 50

// NewRunCommand returns `translator run`: the controller, which keeps a cluster's translated
// objects in step with its Istio objects.
func NewRunCommand() *cobra.Command {
	cmd, _ := newRunCommand()
	return cmd
}

// newRunCommand returns the run command and the options its flags set.
func newRunCommand() (*cobra.Command, *runOptions) {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run --to TARGET",
		Short: "Translate a cluster's Istio objects continuously (the controller)",
		Long: `run watches the cluster's Istio objects (VirtualService, DestinationRule, Gateway,
AuthorizationPolicy, PeerAuthentication, and rbac.istio.io/v1alpha1 where its CRDs are installed)
and the Services and workloads they refer to, translates each namespace as "translator convert"
would, and applies the result with server-side apply (field manager "meshbridge").

It owns what it writes: objects labelled app.kubernetes.io/managed-by=meshbridge and
meshbridge.io/owner-namespace=<namespace>. It deletes owned objects the translation no longer
produces, and never changes or deletes an object it does not own. Findings become Events on the
Istio objects (reason = finding code) and Prometheus metrics (meshbridge_*).

Targets (--to): ` + strings.Join(translate.Targets(), ", ") + `.`,
		Example: `  # Preview in a cluster: what would be applied, without applying anything
  translator run --to gatewayapi --dry-run --metrics-bind-address 0 --health-probe-bind-address 0

  # Run next to Istio for two namespaces, with leader election (as config/ deploys it)
  translator run --to gatewayapi --namespace shop --namespace payments --leader-elect`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runController(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.To, "to", "", "target: "+strings.Join(translate.Targets(), "|"))
	f.StringVar(&o.Mesh, "mesh", "", "destination mesh profile (e.g. osm, traefik-mesh, linkerd-smi, linkerd, cilium, kuma, istio)")
	f.StringVar(&o.Channel, "channel", "standard", "Gateway API release channel: standard|experimental")
	f.StringSliceVarP(&o.Namespaces, "namespace", "n", nil, "namespaces to translate (repeatable or comma-separated); all when unset")
	f.StringVar(&o.RootNamespace, "root-namespace", "istio-system", "Istio root namespace (mesh-wide policies); always read")
	f.StringVar(&o.ClusterDomain, "cluster-domain", "cluster.local", "cluster DNS domain")
	f.StringVar(&o.TrustDomain, "trust-domain", "cluster.local", "mesh identity trust domain")
	f.BoolVar(&o.DryRun, "dry-run", false, "apply and delete nothing; log, count and report (Events) what would change")
	f.StringVar(&o.MetricsBindAddress, "metrics-bind-address", ":8080", "address of the Prometheus /metrics endpoint; 0 disables it")
	f.StringVar(&o.HealthProbeBindAddress, "health-probe-bind-address", ":8081", "address of /healthz and /readyz; 0 disables them")
	f.BoolVar(&o.LeaderElection, "leader-elect", false, "elect one active replica through a Lease")
	f.StringVar(&o.LeaderElectionNamespace, "leader-election-namespace", "", "namespace of the Lease (default: the pod's own namespace)")
	f.StringVar(&o.LeaderElectionID, "leader-election-id", "meshbridge-controller", "name of the Lease")
	f.IntVar(&o.MaxConcurrentReconciles, "max-concurrent-reconciles", 2, "namespaces translated in parallel")
	f.IntVar(&o.MaxConcurrentApplies, "max-concurrent-applies", 8, "writes (applies, deletions) of one namespace in flight at once")
	f.DurationVar(&o.ResyncPeriod, "resync-period", 10*time.Hour, "how often every output is applied again, changed or not, to repair drift no watch saw; 0 never")
	f.Float32Var(&o.qps, "kube-api-qps", defaultQPS, "requests per second to the API server, per API client (one per kind); negative for no client-side limit, 0 for client-go's default (5)")
	f.IntVar(&o.burst, "kube-api-burst", defaultBurst, "requests in a burst to the API server, per API client, above --kube-api-qps")
	f.StringVar(&o.PprofBindAddress, "pprof-bind-address", "0", "address of net/http/pprof (/debug/pprof/); 0 disables it")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)")
	f.StringVar(&o.kubeContext, "context", "", "kubeconfig context (default: the current one)")
	f.StringVar(&o.logFormat, "log-format", "text", "log format: text|json")
	f.IntVarP(&o.verbosity, "verbosity", "v", 0, "log verbosity: 0 changes and problems, 1 every reconcile, higher for controller-runtime details")
	_ = cmd.MarkFlagRequired("to")
	return cmd, o
}

func runController(ctx context.Context, o *runOptions) error {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
	log, err := newLogger(o.logFormat, o.verbosity)
	if err != nil {
		return err
	}
	ctrllog.SetLogger(log)
	o.Logger = log

	cfg, err := o.restConfig()
	if err != nil {
		return err
	}
	mgr, err := controller.New(cfg, o.Options)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Info("starting", "to", o.To, "mesh", o.Mesh, "namespaces", o.Namespaces, "dryRun", o.DryRun)
	return mgr.Start(ctx)
}

// restConfig loads the cluster configuration and sets the client-side limits.
func (o *runOptions) restConfig() (*rest.Config, error) {
	if o.qps > 0 && o.burst < 1 {
		return nil, fmt.Errorf("--kube-api-burst %d: must be at least 1 when --kube-api-qps is positive", o.burst)
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = o.kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: o.kubeContext}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the cluster configuration: %w", err)
	}
	cfg.UserAgent = "meshbridge-controller"
	cfg.QPS, cfg.Burst = o.qps, o.burst
	return cfg, nil
}

// newLogger logs to stderr through log/slog.
func newLogger(format string, verbosity int) (logr.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.Level(-verbosity)}
	switch format {
	case "text":
		return logr.FromSlogHandler(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return logr.FromSlogHandler(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return logr.Logger{}, fmt.Errorf("--log-format %q: want text or json", format)
}
