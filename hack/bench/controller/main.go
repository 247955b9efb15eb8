// Command controller measures `translator run` at scale on a real API server: a kube-apiserver
// and etcd started with envtest (the binaries hack/envtest-assets.sh builds), holding a
// generated corpus with -istio Istio objects and the Services and Deployments they refer to.
// It starts the controller as its own process, then reports
//
//   - the initial sync: from the controller's start until every namespace is translated and
//     its work queue is empty (read from its metrics);
//   - the latency of a change: the time from updating one AuthorizationPolicy to the first
//     change of an output object translated from it, seen through a watch, over -changes
//     updates (median, p99, max);
//   - the controller's resident memory after the sync and at its peak (VmRSS, VmHWM);
//   - whether the outputs in the cluster after the sync are those convert writes (each
//     convert object's spec, labels and annotations found in the cluster's object).
//
// With -profiles DIR it also saves pprof profiles of the controller (through
// --pprof-bind-address): CPU over the first 30 s of the sync and over the changes, heap after
// the sync and at the end.
//
// `make bench BENCH_CONTROLLER=1` runs it after the convert measurements:
//
//	controller -translator bin/translator -to linkerd -istio 10000 -changes 100 [-doc docs/performance.md]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/meshbridge/meshbridge/hack/bench/docsection"
)

type config struct {
	translator, to, doc, assets, root string
	istio, changes                    int
	timeout, syncTimeout              time.Duration
	profiles                          string   // folder for pprof profiles of the controller; none when empty
	args                              []string // more arguments for translator run
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return fmt.Sprint(*l) }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var cfg config
	flag.StringVar(&cfg.translator, "translator", "bin/translator", "translator binary")
	flag.StringVar(&cfg.to, "to", "linkerd", "target the controller writes (one that translates AuthorizationPolicies)")
	flag.IntVar(&cfg.istio, "istio", 10000, "Istio objects in the cluster (Services, Deployments and Namespaces come on top)")
	flag.IntVar(&cfg.changes, "changes", 100, "AuthorizationPolicy changes to time")
	flag.DurationVar(&cfg.timeout, "timeout", 15*time.Minute, "limit for the whole measurement")
	flag.DurationVar(&cfg.syncTimeout, "sync-timeout", 5*time.Minute, "limit for the initial sync; past it the changes are not measured")
	flag.StringVar(&cfg.assets, "assets", os.Getenv("KUBEBUILDER_ASSETS"), "folder holding kube-apiserver and etcd (default: built by hack/envtest-assets.sh)")
	flag.StringVar(&cfg.root, "root", ".", "the repository root (for CRDs and hack/envtest-assets.sh)")
	flag.StringVar(&cfg.doc, "doc", "", "also write the results into this Markdown file, between its controller markers")
	flag.StringVar(&cfg.profiles, "profiles", "", "write pprof profiles of the controller (CPU during the sync and the changes, heap after each) and its log into this folder")
	flag.Var((*stringList)(&cfg.args), "arg", "an argument to add to translator run (repeatable), e.g. -arg=--kube-api-qps=50")
	flag.Parse()

	// On a signal the context ends, so that the API server, etcd and the controller are stopped.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	res, err := measure(ctx, cfg)
	if err != nil {
		cancel()
		fail(err)
	}
	report := render(cfg, res)
	fmt.Print(report)
	if cfg.doc != "" {
		if err := docsection.Replace(cfg.doc, beginMarker, endMarker, report); err != nil {
			fail(err)
		}
		fmt.Printf("\nwrote the figures into %s\n", cfg.doc)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "controller bench:", err)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
