package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// Name is the controller's name: in logs, metrics and as the Events' reporting controller.
const Name = "meshbridge"

// New builds a manager running the controller with opts against the cluster cfg points at.
// Start it with its Start method; it stops when the context ends.
func New(cfg *rest.Config, opts Options) (manager.Manager, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	registerMetrics()
	log := opts.Logger.WithName(Name)

	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	decoded := newDecodeCache()
	cacheOpts := cache.Options{DefaultTransform: transform(decoded)}
	if opts.scoped() {
		cacheOpts.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range opts.readNamespaces() {
			cacheOpts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	mgr, err := manager.New(cfg, manager.Options{
		Scheme:                  scheme,
		Logger:                  log,
		Cache:                   cacheOpts,
		Metrics:                 metricsserver.Options{BindAddress: opts.MetricsBindAddress},
		HealthProbeBindAddress:  opts.HealthProbeBindAddress,
		PprofBindAddress:        opts.PprofBindAddress,
		LeaderElection:          opts.LeaderElection,
		LeaderElectionID:        opts.LeaderElectionID,
		LeaderElectionNamespace: opts.LeaderElectionNamespace,
		// Stop reconciling at once when asked to, so that a successor takes over quickly.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}

	outputs := newLedger()
	r := &reconciler{
		opts:   opts,
		cache:  mgr.GetCache(),
		ledger: outputs,
		applier: &applier{client: mgr.GetClient(), dryRun: opts.DryRun, ledger: outputs, onApply: opts.onApply,
			concurrency: opts.MaxConcurrentApplies, log: log},
		reporter: newReporter(mgr.GetEventRecorder(Name), log),
		log:      log,
	}
	c, err := controller.New(Name, mgr, controller.Options{
		Reconciler:              r,
		MaxConcurrentReconciles: opts.MaxConcurrentReconciles,
		// Several managers may run in one process (tests); names only label metrics.
		SkipNameValidation: ptr.To(true),
	})
	if err != nil {
		return nil, err
	}
	r.reporter.onEvent = opts.onEvent
	r.reporter.paced = newEventQueue()
	qps, burst := cfg.QPS, cfg.Burst // the Events client's limits, client-go's when unset
	if qps == 0 {
		qps, burst = rest.DefaultQPS, rest.DefaultBurst
	}
	if err := mgr.Add(alwaysRunnable(func(ctx context.Context) error {
		r.reporter.pace(ctx, qps, burst)
		return nil
	})); err != nil {
		return nil, err
	}
	r.watcher = newWatcher(c, mgr.GetCache(), mgr.GetRESTMapper(), dc, outputs, decoded, opts, log)
	r.gatherer = &gatherer{reader: mgr.GetCache(), opts: opts, decoded: decoded, inputs: r.watcher.inputKinds,
		namespaces: !opts.scoped(), nsList: r.watcher.namespaces}
	if err := r.watcher.watchStatic(); err != nil {
		return nil, err
	}
	if err := r.watcher.discover(context.Background()); err != nil {
		return nil, err
	}
	if err := mgr.Add(alwaysRunnable(r.watcher.rediscover)); err != nil {
		return nil, err
	}
	if opts.ResyncPeriod > 0 {
		// Only the leader reconciles, so only the leader resyncs.
		if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
			r.watcher.resyncEvery(ctx, opts.ResyncPeriod, &r.resync)
			return nil
		})); err != nil {
			return nil, err
		}
	}

	var synced atomic.Bool
	if err := mgr.Add(alwaysRunnable(func(ctx context.Context) error {
		if mgr.GetCache().WaitForCacheSync(ctx) {
			synced.Store(true)
		}
		return nil
	})); err != nil {
		return nil, err
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("informers", func(*http.Request) error {
		if !synced.Load() {
			return errors.New("informer caches not synced yet")
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return mgr, nil
}

// alwaysRunnable is a runnable that runs on every replica, leader or not.
type alwaysRunnable func(context.Context) error

func (f alwaysRunnable) Start(ctx context.Context) error { return f(ctx) }
func (alwaysRunnable) NeedLeaderElection() bool          { return false }
