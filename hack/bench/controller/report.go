package main

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"
)

// The targets of the performance issue for the controller.
const (
	maxP99    = 100 * time.Millisecond
	maxMemory = 300 << 20
)

// percentile returns the p-th percentile (nearest rank) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

func render(cfg config, r result) string {
	lat := slices.Clone(r.latencies)
	slices.Sort(lat)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
	mb := func(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %d CPUs; `translator run --to %s` against kube-apiserver and etcd (envtest) "+
		"holding %d objects in %d namespaces, %d of them Istio objects (generated mixed corpus).\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), cfg.to, r.objects, r.namespaces, r.istio)
	b.WriteString("| measure | value | target |\n|---|--:|---|\n")
	fmt.Fprintf(&b, "| creating the objects (the harness, 8 clients) | %s | |\n", r.populate.Round(time.Millisecond))
	if r.synced {
		fmt.Fprintf(&b, "| initial sync: start to all %d outputs of `convert` in the cluster | %s | |\n", r.expected, r.sync.Round(time.Millisecond))
	} else {
		fmt.Fprintf(&b, "| initial sync: **not finished** after %s (-sync-timeout) | %d of %d outputs missing | |\n",
			r.sync.Round(time.Second), r.missing, r.expected)
	}
	fmt.Fprintf(&b, "| namespace translations during the sync | %.0f (%d namespaces) | |\n", r.translations, r.namespaces)
	if len(r.requests) > 0 {
		var methods []string
		for _, m := range slices.Sorted(maps.Keys(r.requests)) {
			methods = append(methods, fmt.Sprintf("%.0f %s", r.requests[m], m))
		}
		fmt.Fprintf(&b, "| the controller's API requests during the sync | %s | |\n", strings.Join(methods, ", "))
	}
	if r.verified {
		fmt.Fprintf(&b, "| outputs after the sync that differ from `convert`'s | %d of %d | 0: %s |\n", r.mismatches, r.expected, verdict(r.mismatches == 0))
	}
	if len(lat) > 0 {
		fmt.Fprintf(&b, "| change to applied output, median of %d | %s | |\n", len(lat), ms(percentile(lat, 50)))
		fmt.Fprintf(&b, "| change to applied output, p99 | %s | < %s: %s |\n", ms(percentile(lat, 99)), ms(maxP99),
			verdict(r.timeouts == 0 && percentile(lat, 99) < maxP99))
		fmt.Fprintf(&b, "| change to applied output, max | %s | |\n", ms(lat[len(lat)-1]))
	}
	if !r.synced {
		b.WriteString("| change to applied output | not measured: the sync did not finish | < 100 ms |\n")
	}
	if r.cut > 0 {
		fmt.Fprintf(&b, "| changes not made: out of time (-timeout) | %d | |\n", r.cut)
	}
	if r.timeouts > 0 {
		fmt.Fprintf(&b, "| changes not seen in the output within %s | %d | 0: **over** |\n", changeTimeout, r.timeouts)
	}
	fmt.Fprintf(&b, "| controller resident memory after the sync (or at -sync-timeout) | %s | < %s: %s |\n", mb(r.rssSync), mb(maxMemory), verdict(r.rssSync < maxMemory))
	fmt.Fprintf(&b, "| controller peak resident memory (VmHWM) | %s | < %s: %s |\n", mb(r.rssPeak), mb(maxMemory), verdict(r.rssPeak < maxMemory))
	for _, m := range r.mismatched {
		fmt.Fprintf(&b, "\n- differs: %s", m)
	}
	if len(r.mismatched) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("\nA change replaces the first path of an ALLOW AuthorizationPolicy; its latency runs from the " +
		"update call to the first watch event of an output object holding the new path.\n")
	return b.String()
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "**over**"
}

const (
	beginMarker = "<!-- bench-controller:begin -->"
	endMarker   = "<!-- bench-controller:end -->"
)
