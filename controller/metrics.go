package controller

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/meshbridge/meshbridge/model"
)

// The controller's metrics, served with controller-runtime's on the metrics address.
var (
	translationsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "meshbridge_translations_total",
		Help: "Namespace translations by result: applied (output converged), held (an input was " +
			"unreadable; last good output kept), failed (the API server refused or failed a write; retried).",
	}, []string{"result"})
	findingsGauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "meshbridge_findings",
		Help: "Findings of the latest translation of each namespace, by finding code and severity.",
	}, []string{"namespace", "code", "severity"})
	reconcileDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "meshbridge_reconcile_duration_seconds",
		Help:    "Time to gather, translate and apply one namespace.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
	})
	appliedTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "meshbridge_objects_applied_total",
		Help: "Objects created or changed by server-side apply, by kind and operation (create, update); " +
			"dry_run=\"true\" counts what a dry run would have done.",
	}, []string{"kind", "operation", "dry_run"})
	prunedTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "meshbridge_objects_pruned_total",
		Help: "Owned objects deleted because the translation no longer produces them, by kind; " +
			"dry_run=\"true\" counts what a dry run would have deleted.",
	}, []string{"kind", "dry_run"})
)

var registerMetrics = sync.OnceFunc(func() {
	metrics.Registry.MustRegister(translationsTotal, findingsGauge, reconcileDuration, appliedTotal, prunedTotal)
})

// findingLabels remembers, per namespace, the code and severity labels of the findings gauges
// set for it, so that replacing them does not search every series of every namespace.
var findingLabels = struct {
	sync.Mutex
	m map[string][][2]string
}{m: map[string][][2]string{}}

// setFindings replaces namespace ns's findings gauges with the counts in fs.
func setFindings(ns string, fs model.Findings) {
	counts := map[[2]string]int{}
	for _, f := range fs {
		counts[[2]string{string(f.Code), f.Severity.String()}]++
	}
	findingLabels.Lock()
	defer findingLabels.Unlock()
	for _, k := range findingLabels.m[ns] {
		if _, ok := counts[k]; !ok {
			findingsGauge.DeleteLabelValues(ns, k[0], k[1])
		}
	}
	keys := make([][2]string, 0, len(counts))
	for k, n := range counts {
		findingsGauge.WithLabelValues(ns, k[0], k[1]).Set(float64(n))
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		delete(findingLabels.m, ns)
	} else {
		findingLabels.m[ns] = keys
	}
}

func dryRunLabel(dry bool) string { return strconv.FormatBool(dry) }
