package verify

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify/istio"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// maxExamples bounds the differences listed per workload and kind; the rest are counted.
const maxExamples = 25

// AccessClasses returns the request classes verify asks about: model.RequestClasses over
// Istio's snapshot, the snapshots decoded from the output, and the literals the output names,
// keeping those that reach a workload of the inventory, grouped by workload index.
func AccessClasses(snap *model.Snapshot, extra []*model.Snapshot, lit semantics.Literals) map[int][]model.Request {
	snaps := []*model.Snapshot{literalSnapshot(snap, lit)}
	snaps = append(snaps, extra...)
	snaps = append(snaps, snap) // last: its trust domain and root namespace win
	byKey := map[string][]int{}
	for i, w := range snap.Inventory.Workloads {
		k := destKey(w.Namespace, w.Labels)
		byKey[k] = append(byKey[k], i)
	}
	out := map[int][]model.Request{}
	for _, r := range model.RequestClasses(snaps...) {
		if len(r.Attached) > 0 {
			continue
		}
		for _, i := range byKey[destKey(r.Namespace, r.Labels)] {
			out[i] = append(out[i], r)
		}
	}
	return out
}

func destKey(ns string, labels map[string]string) string {
	return ns + "|" + semantics.LabelString(labels)
}

// literalSnapshot carries the output's literals as one policy, so that RequestClasses tries
// them too. The policy is never evaluated.
func literalSnapshot(snap *model.Snapshot, lit semantics.Literals) *model.Snapshot {
	lit = capped(lit)
	var src model.Source
	var op model.Operation
	var when []model.Condition
	for _, p := range lit.Principals {
		if semantics.Usable(p) {
			src.Principals = append(src.Principals, p)
		}
	}
	for _, n := range lit.Namespaces {
		if semantics.Usable(n) {
			src.Namespaces = append(src.Namespaces, n)
		}
	}
	src.IPBlocks = lit.IPs
	if len(lit.IPs) > 0 || namesAddresses(snap) {
		// Every address named may be inside a block that admits; one named nowhere shows what
		// happens outside them (RequestClasses only tries the default address and those named).
		src.IPBlocks = append(slices.Clone(src.IPBlocks), strangerIP)
	}
	for _, p := range lit.Ports {
		op.Ports = append(op.Ports, strconv.Itoa(int(p)))
	}
	for _, m := range lit.Methods {
		if semantics.Usable(m) {
			op.Methods = append(op.Methods, strings.ToUpper(m))
		}
	}
	for _, p := range lit.Paths {
		if semantics.Usable(p) {
			op.Paths = append(op.Paths, p)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(lit.Headers)) {
		var vals []string
		for _, v := range lit.Headers[name] {
			if semantics.Usable(v) && v != "" {
				vals = append(vals, v)
			}
		}
		if len(vals) > 0 && name != "host" && !strings.HasPrefix(name, ":") {
			when = append(when, model.Condition{Key: "request.headers[" + name + "]", Values: vals})
		}
	}
	// A mesh-wide policy applies to every destination, so its literals are tried everywhere.
	s := &model.Snapshot{TrustDomain: snap.TrustDomain, RootNamespace: snap.RootNamespace}
	s.Access = []model.AccessPolicy{{Namespace: snap.RootNamespace, Name: "meshbridge-verify-literals", Action: model.Allow,
		Target: model.Target{Namespace: snap.RootNamespace, MeshWide: true},
		Rules:  []model.AccessRule{{From: []model.Source{src}, To: []model.Operation{op}, When: when}}}}
	return s
}

// strangerIP is an address (TEST-NET-3) that no block is expected to name.
const strangerIP = "203.0.113.9"

// namesAddresses reports whether a policy of snap names source or remote addresses.
func namesAddresses(snap *model.Snapshot) bool {
	for _, p := range snap.Access {
		for _, r := range p.Rules {
			for _, s := range r.From {
				if len(s.IPBlocks)+len(s.NotIPBlocks)+len(s.RemoteIPBlocks)+len(s.NotRemoteIPBlocks) > 0 {
					return true
				}
			}
			for _, c := range r.When {
				if c.Key == "source.ip" || c.Key == "remote.ip" {
					return true
				}
			}
		}
	}
	return false
}

// maxLiterals bounds each kind of output literal: request classes grow with their product,
// and objects written by hand (or fuzzed) may name thousands.
const maxLiterals = 64

func capped(l semantics.Literals) semantics.Literals {
	c := func(s []string) []string {
		s = sortedUnique(s)
		if len(s) > maxLiterals {
			s = s[:maxLiterals]
		}
		return s
	}
	out := semantics.Literals{Principals: c(l.Principals), Namespaces: c(l.Namespaces), Paths: c(l.Paths), Methods: c(l.Methods), IPs: c(l.IPs)}
	ports := slices.Clone(l.Ports)
	slices.Sort(ports)
	ports = slices.Compact(ports)
	if len(ports) > maxLiterals {
		ports = ports[:maxLiterals]
	}
	out.Ports = ports
	n := 0
	for _, name := range slices.Sorted(maps.Keys(l.Headers)) {
		for _, v := range c(l.Headers[name]) {
			if n < maxLiterals {
				out.AddHeader(name, v)
				n++
			}
		}
	}
	return out
}

// compareAccess evaluates Istio and the destination on every class of every workload, on the
// ports the workload is taken to listen on.
func compareAccess(snap *model.Snapshot, d *destination, cov *coverage) []WorkloadReport {
	lit := d.literals
	lit.Ports = append(slices.Clone(lit.Ports), serviceTargetPorts(&snap.Inventory)...)
	classes := AccessClasses(snap, d.extra, lit)
	var out []WorkloadReport
	for i, w := range snap.Inventory.Workloads {
		wr := WorkloadReport{Workload: w.Kind + " " + w.Namespace + "/" + w.Name, ServiceAccount: w.ServiceAccount}
		reported := cov.access(w)
		groups := map[string]*AccessDifference{}
		served := servedPorts(&snap.Inventory, w)
		for _, r := range classes[i] {
			if served != nil && !served[r.Port] {
				continue // the workload is taken not to listen there (see DeclaredPortsNote)
			}
			wr.Requests++
			dec := model.EvaluateWith(snap, r, istio.EvalOptions)
			v := d.authorizer.Authorize(w, r)
			if v.Allow == dec.Allow {
				continue
			}
			key := istio.Describe(dec) + "|" + v.By + "|" + r.Principal + "|" + strconv.FormatBool(r.TCP)
			if g, ok := groups[key]; ok {
				g.Requests++
				continue
			}
			diff := &AccessDifference{Example: r, Requests: 1, Istio: verdictOf(dec), Target: v, ReportedBy: reported}
			groups[key] = diff
			if v.Allow {
				wr.Widened = append(wr.Widened, diff)
			} else {
				wr.Narrowed = append(wr.Narrowed, diff)
			}
		}
		out = append(out, wr)
	}
	return out
}

func verdictOf(d model.Decision) semantics.Verdict {
	return semantics.Verdict{Allow: d.Allow, By: istio.Describe(d)}
}
