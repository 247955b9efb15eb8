package verify_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/verify"
)

var propertyRuns = flag.Int("verify.runs", 100, "random inputs the property test generates per target")

// TestRandomPoliciesAreNeverWidened generates random policy sets (principals, namespaces,
// DENY beside ALLOW, negations, paths, ports, methods, targetRefs, STRICT mTLS) over random
// workloads, Services and gateways, translates them for SMI (OSM) and Linkerd, and fails on
// any widened request but on workloads an enforcementImpossible finding names. Failures are
// grouped by what the destination allowed them by, each with the seed, input and request
// that shows it.
func TestRandomPoliciesAreNeverWidened(t *testing.T) {
	for _, target := range []struct{ name, to, mesh, linkerdDefault string }{
		{"smi for osm", "smi", "osm", ""},
		{"linkerd", "linkerd", "", ""},
		// The cluster default MB5008 and MB5016 recommend: ports without a Server deny.
		{"linkerd with default-inbound-policy deny", "linkerd", "", "deny"},
	} {
		t.Run(target.name, func(t *testing.T) {
			type failure struct {
				seed    uint64
				input   string
				example string
				count   int
			}
			classes := map[string]*failure{}
			var order []string
			for seed := uint64(1); seed <= uint64(*propertyRuns); seed++ {
				input := randomInput(rand.New(rand.NewPCG(seed, 0x6d657368)))
				rep, declared, impossible := verifyYAML(t, input, target.to, target.mesh, target.linkerdDefault)
				for _, w := range rep.Access {
					if impossible[w.Workload] {
						continue // the translation says it cannot enforce access there (see enforcementImpossible)
					}
					for _, d := range w.Widened {
						class := failureClass(d.Target.By)
						switch {
						case len(declared[w.Workload]) == 0:
							class += " on a workload that declares no port"
						case !declared[w.Workload][d.Example.Port]:
							class += " on a port only a Service targets"
						}
						if f, ok := classes[class]; ok {
							f.count++
							continue
						}
						order = append(order, class)
						classes[class] = &failure{seed: seed, input: input, count: 1,
							example: fmt.Sprintf("%s: %s\n    istio: %s\n    %s: %s", w.Workload, verify.DescribeRequest(d.Example), d.Istio, target.to, d.Target)}
					}
				}
			}
			for _, class := range order {
				f := classes[class]
				t.Errorf("widened (%d groups) by %q; first at seed %d:\n  %s\ninput:\n%s", f.count, class, f.seed, f.example, f.input)
			}
		})
	}
}

// failureClass strips names and numbers from what allowed a request, so that one bug is
// reported once.
func failureClass(by string) string {
	by = regexp.MustCompile(`[a-z0-9.-]+/[a-z0-9.-]+`).ReplaceAllString(by, "NS/NAME")
	return regexp.MustCompile(`[0-9]+`).ReplaceAllString(by, "N")
}

// verifyYAML translates and verifies input; it also returns the ports each workload declares
// and the workloads an enforcement-impossible finding names.
func verifyYAML(t *testing.T, input, to, mesh, linkerdDefault string) (*verify.Report, map[string]map[int32]bool, map[string]bool) {
	t.Helper()
	inv := &inventory.Inventory{}
	lf, err := load.Decode(inv, "random.yaml", []byte(input), load.Options{})
	if err != nil {
		t.Fatalf("generated input does not load: %v\n%s", err, input)
	}
	inv.Sort()
	res, err := translate.Translate(inv, translate.Options{To: to, Write: emit.Options{Mesh: mesh}})
	if err != nil {
		t.Fatal(err)
	}
	opts := verify.Options{Target: to, Mesh: mesh}
	opts.Linkerd.DefaultPolicy = linkerdDefault
	rep, err := verify.Run(verify.Input{Snapshot: res.Snapshot, Inventory: inv, Objects: res.Objects, Findings: append(lf, res.Findings...)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]map[int32]bool{}
	for _, w := range res.Snapshot.Inventory.Workloads {
		k := w.Kind + " " + w.Namespace + "/" + w.Name
		declared[k] = map[int32]bool{}
		for _, p := range w.Ports {
			declared[k][p.Port] = true
		}
	}
	return rep, declared, unenforceable(res.Findings)
}

// randomInput writes 2 to 4 workloads in two namespaces (some without declared ports, some
// behind a Service that may target an undeclared port, some a gateway's pods), sometimes
// PeerAuthentications, and 1 to 4 AuthorizationPolicies (some attached to a Gateway by
// targetRefs).
func randomInput(r *rand.Rand) string {
	var b strings.Builder
	namespaces := []string{"a", "b"}
	accounts := []string{"sa0", "sa1", "sa2"}
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	some := func(list []string) []string {
		var out []string
		for _, v := range list {
			if r.IntN(3) == 0 {
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			out = []string{pick(list)}
		}
		return out
	}
	type wl struct{ ns, app string }
	var wls []wl
	for i := range 2 + r.IntN(3) {
		w := wl{ns: pick(namespaces), app: fmt.Sprintf("w%d", i)}
		wls = append(wls, w)
		ports := some([]string{"8080", "9090"})
		if r.IntN(6) == 0 {
			ports = nil
		}
		var cps []string
		for _, p := range ports {
			cps = append(cps, "{containerPort: "+p+"}")
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {app: %s}\n  ports: [{port: 80, targetPort: %s}]\n---\n",
				w.app, w.ns, w.app, pick([]string{"8080", "9090", "7070"}))
		}
		labels := "app: " + w.app
		if r.IntN(4) == 0 { // a gateway's pods
			labels += ", gateway.networking.k8s.io/gateway-name: " + w.app
		}
		fmt.Fprintf(&b, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {matchLabels: {app: %s}}\n"+
			"  template:\n    metadata: {labels: {%s}}\n    spec:\n      serviceAccountName: %s\n      containers: [{name: c, image: x, ports: [%s]}]\n---\n",
			w.app, w.ns, w.app, labels, pick(accounts), strings.Join(cps, ", "))
	}
	switch r.IntN(6) { // STRICT mTLS for a namespace or the mesh, or a workload's port opened
	case 0:
		fmt.Fprintf(&b, "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: %s}\nspec: {mtls: {mode: STRICT}}\n---\n", pick(namespaces))
	case 1:
		b.WriteString("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n---\n")
		if w := wls[r.IntN(len(wls))]; r.IntN(2) == 0 {
			fmt.Fprintf(&b, "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: open, namespace: %s}\nspec:\n  selector: {matchLabels: {app: %s}}\n  portLevelMtls: {\"8080\": {mode: PERMISSIVE}}\n---\n", w.ns, w.app)
		}
	}
	principals := []string{"cluster.local/ns/a/sa/sa0", "cluster.local/ns/b/sa/sa1", "cluster.local/ns/a/sa/*", "*", "cluster.local/ns/b/sa/sa2"}
	paths := []string{"/x", "/api/*", "*.js", "/p/{*}/q", "/health"}
	for i := range 1 + r.IntN(4) {
		w := wls[r.IntN(len(wls))]
		action := "ALLOW"
		if r.IntN(10) < 3 {
			action = "DENY"
		}
		fmt.Fprintf(&b, "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p%d, namespace: %s}\nspec:\n  action: %s\n", i, w.ns, action)
		switch {
		case r.IntN(8) == 0:
			fmt.Fprintf(&b, "  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: %s}]\n", w.app)
		case r.IntN(4) != 0:
			fmt.Fprintf(&b, "  selector: {matchLabels: {app: %s}}\n", w.app)
		}
		rules := r.IntN(3)
		if action == "DENY" && rules == 0 {
			rules = 1
		}
		if rules == 0 { // an ALLOW without rules: allow nothing
			b.WriteString("---\n")
			continue
		}
		b.WriteString("  rules:\n")
		for range rules {
			b.WriteString("  - {}\n")
			var from, to []string
			switch r.IntN(5) {
			case 0:
				from = append(from, "principals: ["+strings.Join(quote(some(principals)), ", ")+"]")
			case 1:
				from = append(from, "namespaces: ["+strings.Join(some(namespaces), ", ")+"]")
			case 2:
				from = append(from, "notPrincipals: ["+strings.Join(quote(some(principals)), ", ")+"]")
			case 3:
				from = append(from, "notNamespaces: ["+strings.Join(some(namespaces), ", ")+"]")
			}
			switch r.IntN(6) {
			case 0:
				to = append(to, `ports: ["`+strings.Join(some([]string{"8080", "9090", "7070"}), `", "`)+`"]`)
			case 1:
				to = append(to, "methods: ["+strings.Join(some([]string{"GET", "POST", "DELETE"}), ", ")+"]")
			case 2:
				to = append(to, "paths: ["+strings.Join(quote(some(paths)), ", ")+"]")
			case 3:
				to = append(to, "notPaths: ["+strings.Join(quote(some(paths)), ", ")+"]")
			case 4:
				to = append(to, "notMethods: ["+strings.Join(some([]string{"GET", "POST"}), ", ")+"]", `ports: ["8080"]`)
			}
			// The rule was written as "- {}"; fill it in when it has fields.
			if len(from)+len(to) > 0 {
				s := b.String()
				s = strings.TrimSuffix(s, "  - {}\n")
				b.Reset()
				b.WriteString(s)
				b.WriteString("  - ")
				sep := ""
				if len(from) > 0 {
					b.WriteString("from: [{source: {" + strings.Join(from, ", ") + "}}]")
					sep = "\n    "
				}
				if len(to) > 0 {
					b.WriteString(sep + "to: [{operation: {" + strings.Join(to, ", ") + "}}]")
				}
				b.WriteString("\n")
			}
		}
		b.WriteString("---\n")
	}
	return b.String()
}

func quote(vs []string) []string {
	out := slices.Clone(vs)
	for i, v := range out {
		out[i] = `"` + v + `"`
	}
	return out
}
