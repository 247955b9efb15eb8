package controller

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/translate/istio"
)

// FieldManager is the server-side apply field manager of everything the controller writes.
const FieldManager = "meshbridge"

// Labels and values that mark an object as the controller's own.
const (
	ManagedByLabel      = "app.kubernetes.io/managed-by"
	ManagedByValue      = "meshbridge"
	OwnerNamespaceLabel = "meshbridge.io/owner-namespace"
)

// Options configure a controller. The zero value of every field but To is usable.
type Options struct {
	// To names the writer, as `translator convert --to` does.
	To string
	// Mesh and Channel choose the destination profile (emit.Options).
	Mesh    string
	Channel string
	// Namespaces limits what the controller reads and writes; empty means every namespace.
	// The root namespace is always read (it holds mesh-wide policy) but written only when listed.
	Namespaces []string
	// RootNamespace, ClusterDomain and TrustDomain are the mesh settings (istio.Options);
	// empty picks the reader's defaults.
	RootNamespace string
	ClusterDomain string
	TrustDomain   string
	// DryRun applies and deletes nothing: every write is a server-side dry run, and what would
	// have changed is logged and counted.
	DryRun bool

	// MetricsBindAddress and HealthProbeBindAddress are listen addresses; "0" disables them.
	MetricsBindAddress     string
	HealthProbeBindAddress string
	// PprofBindAddress serves net/http/pprof at /debug/pprof/; "" or "0" (the default)
	// disables it.
	PprofBindAddress string
	// LeaderElection makes replicas elect one active reconciler.
	LeaderElection          bool
	LeaderElectionNamespace string
	LeaderElectionID        string

	// DiscoveryInterval is how often the served kinds are looked up again, so that CRDs
	// installed after start are watched (default one minute).
	DiscoveryInterval time.Duration
	// MaxConcurrentReconciles bounds parallel namespace reconciles (default 2).
	MaxConcurrentReconciles int
	// MaxConcurrentApplies bounds the writes (applies, deletions) one namespace reconcile has
	// in flight at once (default 8).
	MaxConcurrentApplies int
	// ResyncPeriod is how often every namespace is translated and every output applied again,
	// whether or not anything is known to have changed; 0 never.
	ResyncPeriod time.Duration
	// Logger receives the controller's logs; the zero value discards them.
	Logger logr.Logger

	// translate replaces translate.Translate in unit tests of this package.
	translate func(*inventory.Inventory, translate.Options) (translate.Result, error)
	// onApply, when set, is told of every apply request (tests count them).
	onApply func(*unstructured.Unstructured)
	// onEvent, when set, is told of every Event recorded: the API server folds Events that
	// differ only by note into one series, so tests count them here.
	onEvent func(reason, note string)
}

// withDefaults fills the defaults and checks the options.
func (o Options) withDefaults() (Options, error) {
	if _, ok := translate.Writers[o.To]; !ok && o.translate == nil {
		return o, fmt.Errorf("--to %q: unknown target (want one of %v)", o.To, translate.Targets())
	}
	if o.RootNamespace == "" {
		o.RootNamespace = "istio-system"
	}
	var errs []error
	for _, ns := range append([]string{o.RootNamespace}, o.Namespaces...) {
		for _, msg := range validation.IsDNS1123Label(ns) {
			errs = append(errs, fmt.Errorf("namespace %q: %s", ns, msg))
		}
	}
	if len(errs) > 0 {
		return o, errors.Join(errs...)
	}
	o.Namespaces = slices.Compact(slices.Sorted(slices.Values(o.Namespaces)))
	if o.MetricsBindAddress == "" {
		o.MetricsBindAddress = ":8080"
	}
	if o.HealthProbeBindAddress == "" {
		o.HealthProbeBindAddress = ":8081"
	}
	if o.LeaderElectionID == "" {
		o.LeaderElectionID = "meshbridge-controller"
	}
	if o.DiscoveryInterval <= 0 {
		o.DiscoveryInterval = time.Minute
	}
	if o.PprofBindAddress == "" {
		o.PprofBindAddress = "0"
	}
	if o.MaxConcurrentReconciles <= 0 {
		o.MaxConcurrentReconciles = 2
	}
	if o.MaxConcurrentApplies <= 0 {
		o.MaxConcurrentApplies = 8
	}
	if o.translate == nil {
		o.translate = translate.Translate
	}
	return o, nil
}

// translateOptions are the options of every translation the controller runs.
func (o Options) translateOptions() translate.Options {
	return translate.Options{
		To:    o.To,
		Read:  istio.Options{RootNamespace: o.RootNamespace, ClusterDomain: o.ClusterDomain, TrustDomain: o.TrustDomain},
		Write: emit.Options{Mesh: o.Mesh, Channel: o.Channel},
	}
}

// scoped reports whether the controller is limited to some namespaces.
func (o Options) scoped() bool { return len(o.Namespaces) > 0 }

// writes reports whether the controller writes into namespace ns.
func (o Options) writes(ns string) bool {
	return !o.scoped() || slices.Contains(o.Namespaces, ns)
}

// readNamespaces are the namespaces cached when scoped: the listed ones and the root namespace.
func (o Options) readNamespaces() []string {
	return slices.Compact(slices.Sorted(slices.Values(append([]string{o.RootNamespace}, o.Namespaces...))))
}
