package linkerd

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/apis/linkerd/v1alpha1"
	"github.com/meshbridge/meshbridge/apis/linkerd/v1beta3"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/translate/gatewayapi"
)

// Name is the writer's --to value and finding stage.
const Name = "linkerd"

// Write turns the snapshot's access policies and PeerAuthentications into Linkerd policy
// (Servers, AuthorizationPolicies, MeshTLS and Network authentications, inbound HTTPRoutes) and
// its routes into Gateway API routes for Linkerd (the Gateway API writer's linkerd profile).
func Write(snap *model.Snapshot, opts emit.Options) ([]*unstructured.Unstructured, model.Findings) {
	var objs []*unstructured.Unstructured
	findings := Stream(snap, opts, func(obj *unstructured.Unstructured) { objs = append(objs, obj) })
	emit.Sort(objs)
	return objs, findings
}

// Stream writes what Write writes, but hands each object to each as soon as it is complete,
// in the order it is made (Write's before sorting), and keeps none: a caller that renders
// objects as they come need not hold them all (convert does; Linkerd's output is the largest
// of the targets, about twice the input's bytes). Objects are not changed after each sees
// them. It returns the findings, sorted.
func Stream(snap *model.Snapshot, opts emit.Options, each func(*unstructured.Unstructured)) model.Findings {
	w := &writer{snap: snap, each: each, rules: newRuleCache(), names: map[string]string{}}
	w.index()
	w.reportUntranslated()
	for _, ns := range w.namespaces() {
		w.writeNamespace(ns)
	}
	routes, rf := gatewayapi.WriteRoutes(snap, emit.Options{Mesh: Name, Channel: opts.Channel})
	for i, r := range routes {
		each(r)
		routes[i] = nil
	}
	return append(w.findings, rf...).Sorted()
}

// writer carries one Write call's state; its methods are the features, one file each.
type writer struct {
	snap     *model.Snapshot
	findings model.Findings
	// each receives every object written.
	each func(*unstructured.Unstructured)
	// byNamespace indexes the policies that may concern each namespace (index.go).
	byNamespace policyIndex
	// rules caches parsed rules, so that each problem is reported once.
	rules ruleCache
	// names holds the content written under each Kind/namespace/name of the namespace being
	// written (objects are only ever written into the namespace of their class).
	names map[string]string
}

func (w *writer) report(code model.Code, origin model.Origin, field, format string, args ...any) {
	w.findings.Add(Name, code, origin, field, format, args...)
}

// reportUntranslated reports the policies the writer leaves out whole, and those attached by
// targetRefs.
func (w *writer) reportUntranslated() {
	for i := range w.snap.Access {
		p := &w.snap.Access[i]
		switch {
		case p.DryRun:
			w.report(model.CodeLinkerdDryRunSkipped, p.Origin, dryRunField(p.Origin.Object.Kind), "dry-run policy: Istio does not enforce it")
		case p.Action == model.Audit:
			w.report(model.CodeLinkerdAuditNotTranslated, p.Origin, "spec.action", "AUDIT policy was not translated")
		case len(p.Target.Refs) > 0:
			w.reportTargetRefs(p)
		}
	}
}

// dryRunField is where an object of kind says it is not enforced: the istio.io/dry-run
// annotation, or the enforcement mode of the retired RBAC kinds.
func dryRunField(kind string) string {
	switch kind {
	case "ServiceRoleBinding":
		return "spec.mode"
	case "ClusterRbacConfig", "RbacConfig":
		return "spec.enforcementMode"
	}
	return "metadata.annotations[istio.io/dry-run]"
}

func refNames(refs []model.ObjectRef) string {
	var names []string
	for _, r := range refs {
		names = append(names, r.Kind+" "+r.Name)
	}
	return strings.Join(names, ", ")
}

// namespaces returns the namespaces that hold workloads, sorted.
func (w *writer) namespaces() []string {
	var out []string
	for _, wl := range w.snap.Inventory.Workloads {
		out = append(out, wl.Namespace)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// writeNamespace writes the Servers and authorizations of one namespace's workloads.
func (w *writer) writeNamespace(ns string) {
	// Names are claimed, and rules of policies that are not mesh-wide parsed, per namespace
	// and only while writing it: forget the last one's.
	clear(w.names)
	clear(w.rules.local)
	workloads := w.snap.Inventory.SelectWorkloads(ns, nil)
	reported := map[string]bool{}
	var restricted []string
	var restrictOrigin *model.Origin
	recommend := v1beta3.AccessAllAuthenticated
	for _, c := range w.classes(ns, workloads) {
		ports := w.servedPorts(c.workloads)
		portless := portless(c.workloads)
		undeclared := len(portless) == len(c.workloads)
		w.reportClassOnce(c, ports, undeclared, reported)
		outcomes := map[int32]outcome{}
		for _, p := range ports {
			outcomes[p] = w.decide(c, p)
		}
		if len(portless) > 0 && w.restricts(c, ports) {
			w.reportNoDeclaredPorts(c, portless)
		}
		if origin, deny, ok := w.restriction(c); ok && !undeclared {
			restricted = append(restricted, nameList(declaring(c.workloads)))
			if restrictOrigin == nil {
				restrictOrigin = &origin
			}
			if deny {
				recommend = v1beta3.AccessDeny
			}
		}
		for _, conj := range c.conjuncts {
			var members []model.Workload
			for _, wl := range c.workloads {
				if conj.selects(wl.Labels) {
					members = append(members, wl)
				}
			}
			for _, p := range w.servedPorts(members) {
				if o := outcomes[p]; o.server {
					w.writeServer(c, conj, members, p, o)
				}
			}
		}
	}
	if restrictOrigin != nil {
		w.report(model.CodeLinkerdDefaultPolicyPorts, *restrictOrigin, "",
			"meshbridge assumes the pods of %s listen only on the ports they declare (and those their Services target), and wrote Linkerd Servers for those alone; "+
				"any other port keeps the cluster's default inbound policy, wider than Istio's: to close them, annotate namespace %s with %s: %s "+
				"(Linkerd reads it when a pod starts, so it applies to pods created afterwards)",
			strings.Join(restricted, "; "), ns, v1beta3.DefaultInboundPolicyAnnotation, recommend)
	}
}

// restriction reports whether Istio restricts class c's ports beyond its default, the first
// policy that does, and whether that calls for deny (an access policy) rather than
// all-authenticated (STRICT mTLS only).
func (w *writer) restriction(c *class) (model.Origin, bool, bool) {
	if len(c.access) > 0 {
		return c.access[0].Origin, true, true
	}
	if len(c.refs) > 0 {
		return c.refs[0].Origin, true, true
	}
	if mode, pa := w.mtlsMode(c, 0); mode == model.MTLSStrict {
		return pa.Origin, false, true
	}
	return model.Origin{}, false, false
}

// reportClassOnce reports per policy what depends on the class but not on the port: CUSTOM
// policies, mTLS DISABLE, and ports that rules name but no workload declares (unless the
// workloads declare none: reportNoDeclaredPorts says more).
func (w *writer) reportClassOnce(c *class, ports []int32, undeclared bool, reported map[string]bool) {
	once := func(key string, f func()) {
		if !reported[key] {
			reported[key] = true
			f()
		}
	}
	for _, p := range c.access {
		if p.Action == model.Custom {
			once("custom/"+p.Namespace+"/"+p.Name, func() {
				w.report(model.CodeLinkerdCustomNotTranslated, p.Origin, "spec.action",
					"CUSTOM policy (provider %q) cannot be written for Linkerd; the requests its rules match were treated as denied", p.Provider)
			})
		}
		for i, r := range p.Rules {
			for _, port := range namedPorts(r) {
				n, err := strconv.Atoi(port)
				if err != nil || undeclared || slices.Contains(ports, int32(n)) {
					continue
				}
				once(fmt.Sprintf("port/%s/%s/%d/%s/%s", p.Namespace, p.Name, i, port, workloadNames(c)), func() {
					w.report(model.CodeLinkerdDefaultPolicyPorts, p.Origin, r.Field,
						"port %s is not declared by %s: meshbridge assumes its pods do not listen on it and wrote no Server for it; "+
							"if they do, it keeps the cluster's default inbound policy (annotate the namespace with %s: deny, for pods created afterwards)",
						port, workloadNames(c), v1beta3.DefaultInboundPolicyAnnotation)
				})
			}
		}
	}
	for _, pa := range c.peer {
		disables := pa.Mode == model.MTLSDisable
		for _, m := range pa.PortModes {
			disables = disables || m == model.MTLSDisable
		}
		if disables {
			once("disable/"+pa.Namespace+"/"+pa.Name, func() {
				w.report(model.CodeLinkerdMTLSDisable, pa.Origin, "spec.mtls", "mTLS DISABLE cannot be written for Linkerd, which always uses mTLS between meshed pods")
			})
		}
	}
}

// namedPorts returns the ports a rule names in to.operation.ports and destination.port.
func namedPorts(r model.AccessRule) []string {
	var out []string
	for _, op := range r.To {
		out = append(out, op.Ports...)
	}
	for _, c := range r.When {
		if c.Key == "destination.port" {
			out = append(out, c.Values...)
		}
	}
	return out
}

func workloadNames(c *class) string { return nameList(c.workloads) }

// nameList renders workloads as a sorted list of namespace/name.
func nameList(workloads []model.Workload) string {
	var names []string
	for _, wl := range workloads {
		names = append(names, wl.Namespace+"/"+wl.Name)
	}
	slices.Sort(names)
	return strings.Join(slices.Compact(names), ", ")
}

// writeServer writes one Server (the pods conj selects, one port) with its routes and
// authorizations.
func (w *writer) writeServer(c *class, conj conjunct, members []model.Workload, port int32, o outcome) {
	var sources []string
	for _, p := range c.access {
		sources = append(sources, emit.Source(p.Origin))
	}
	for _, p := range c.refs {
		sources = append(sources, emit.Source(p.Origin))
	}
	for _, pa := range c.peer {
		sources = append(sources, emit.Source(pa.Origin))
	}
	name, _ := w.claim(v1beta3.KindServer, c.ns, emit.Name(conj.baseName(), strconv.Itoa(int(port))), conj.key()+"|"+strconv.Itoa(int(port)))
	w.add(serverObject(c.ns, name, conj, port, o.access, sources))

	serverWide, routes := planRoutes(name, o.grants, nil)
	if len(routes) > 0 {
		if probes := probePaths(members, port); len(probes) > 0 {
			serverWide, routes = planRoutes(name, o.grants, probes)
			w.report(model.CodeLinkerdProbesAuthorized, grantOrigin(o.grants, c), "",
				"Server %s/%s has inbound routes, so GET %s from any client was authorized for the kubelet's probes", c.ns, name, strings.Join(probes, ", "))
		}
		w.checkOverlaps(name, serverWide, routes, grantOrigin(nil, c))
	}
	serverRef := v1alpha1.LocalTargetRef{Group: v1beta3.GroupVersion.Group, Kind: v1beta3.KindServer, Name: name}
	for _, g := range serverWide {
		w.authorization(c.ns, serverRef, g, grantSources(g, sources))
	}
	for _, r := range routes {
		generated := r.kind != routeRule
		routeSources := sources
		if len(r.grants) > 0 && r.kind != routeProbes {
			routeSources = nil
			for _, g := range r.grants {
				routeSources = append(routeSources, grantSources(g, sources)...)
			}
		}
		for _, obj := range routeObjects(c.ns, r.name, name, r.req, routeSources, generated) {
			w.add(obj)
		}
		grants := append(slices.Clone(r.grants), r.attached...)
		if r.kind == routeProbes {
			grants = []grant{{rule: -1, from: -1, clients: everyone, req: r.req, name: "kubelet"}}
		}
		for _, routeName := range routeNames(r.name, r.req) {
			ref := v1alpha1.LocalTargetRef{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute", Name: routeName}
			for _, g := range grants {
				w.authorization(c.ns, ref, g, grantSources(g, routeSources))
			}
		}
	}
}

// grantSources names the Istio objects a grant comes from: its policy, or (for the implicit
// allow of a workload without ALLOW policies) those of the Server.
func grantSources(g grant, fallback []string) []string {
	if g.policy != nil {
		return []string{emit.Source(g.policy.Origin)}
	}
	return slices.Clone(fallback)
}

// grantOrigin is the first policy among grants, else the class's first policy: where a
// finding about a Server points.
func grantOrigin(grants []grant, c *class) model.Origin {
	for _, g := range grants {
		if g.policy != nil {
			return g.policy.Origin
		}
	}
	if len(c.access) > 0 {
		return c.access[0].Origin
	}
	if len(c.refs) > 0 {
		return c.refs[0].Origin
	}
	if len(c.peer) > 0 {
		return c.peer[0].Origin
	}
	return model.Origin{}
}

// probePaths returns the paths of the HTTP probes the workloads send to port, as exact paths.
func probePaths(workloads []model.Workload, port int32) []string {
	var out []string
	for _, wl := range workloads {
		for _, pr := range wl.Probes {
			p := pr.Port
			if pr.PortName != "" {
				for _, cp := range wl.Ports {
					if cp.Name == pr.PortName {
						p = cp.Port
					}
				}
			}
			path, _, _ := strings.Cut(pr.Path, "?")
			if path == "" {
				path = "/"
			}
			if p == port && exactPathChars.MatchString(path) && strings.HasPrefix(path, "/") {
				out = append(out, path)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
