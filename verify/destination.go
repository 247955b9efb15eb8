package verify

import (
	"strings"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/meshbridge/meshbridge/apis/linkerd/v1beta3"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify/gatewayapi"
	"github.com/meshbridge/meshbridge/verify/istio"
	"github.com/meshbridge/meshbridge/verify/linkerd"
	"github.com/meshbridge/meshbridge/verify/semantics"
	"github.com/meshbridge/meshbridge/verify/smi"
)

// namedRouter is a router and the reading it stands for ("" when the destination has one).
type namedRouter struct {
	reading string
	router  semantics.Router
}

// destination is one target's evaluators, built from the emitted objects.
type destination struct {
	mesh       string
	authorizer semantics.Authorizer
	routers    []namedRouter
	// literals are the values the objects name; extra are snapshots decoded from them.
	literals semantics.Literals
	extra    []*model.Snapshot
	// routeServices are the Services the output's routes attach to.
	routeServices []model.ServiceRef
	notes         []string
}

func newDestination(in Input, opts Options) (*destination, error) {
	objs := objects(in.Objects)
	services := semantics.NewServices(objs, &in.Snapshot.Inventory)
	td := opts.Read.TrustDomain
	d := &destination{mesh: opts.Mesh, routeServices: routedServices(objs)}
	gamma := func(mesh string) {
		readings := gatewayapi.Readings(mesh)
		for _, r := range readings {
			name := ""
			if len(readings) > 1 {
				name = r.Ranking.String()
			}
			d.routers = append(d.routers, namedRouter{reading: name, router: gatewayapi.NewRouter(objs, r, services)})
		}
		d.literals.Merge(gatewayapi.Literals(objs))
	}
	switch opts.Target {
	case "gatewayapi":
		d.notes = append(d.notes, "Gateway API has no authorization API: access was not compared, routing only.")
		if d.mesh == "" || !isKnownGAMMA(d.mesh) {
			d.notes = append(d.notes, "Where a RegularExpression path ranks is implementation-specific: routes were checked with it ranked both above and below PathPrefix.")
		}
		gamma(d.mesh)
	case "smi":
		reading, err := smi.ReadingFor(opts.Mesh)
		if err != nil {
			return nil, err
		}
		d.mesh = reading.Mesh
		if reading.Access {
			d.notes = append(d.notes, "SMI access is assumed enforced ("+enforcement(reading.Mesh)+"); otherwise "+reading.Mesh+" allows every request.")
			d.authorizer = smi.NewAccess(objs, reading, td)
		} else {
			// Like Gateway API: this profile carries routing only, and the writer reports every
			// access policy it leaves to another target (--to linkerd).
			d.notes = append(d.notes, reading.Mesh+" carries no SMI access (access control goes to --to linkerd): access was not compared, routing only.")
		}
		d.literals.Merge(smi.Literals(objs, td))
		d.literals.Merge(smi.RouteLiterals(objs))
		d.routers = []namedRouter{{router: smi.NewSplits(objs, reading, services)}}
	case "linkerd":
		d.mesh = "linkerd"
		lo := opts.Linkerd
		lo.TrustDomain = td
		lo.NamespacePolicies, lo.WorkloadPolicies = defaultPolicyAnnotations(in, objs, lo)
		if lo.DefaultPolicy == "" {
			lo.DefaultPolicy = string(v1beta3.AccessAllUnauthenticated)
		}
		d.notes = append(d.notes, "Ports no Server selects fall back to the default inbound policy; the cluster's is taken as "+lo.DefaultPolicy+".")
		d.authorizer = linkerd.NewAccess(objs, lo)
		d.literals.Merge(linkerd.Literals(objs, td))
		gamma("linkerd")
	case "istio":
		d.mesh = "istio"
		snap, err := istio.Decode(objs, in.Inventory, opts.Read)
		if err != nil {
			return nil, err
		}
		d.authorizer = istio.NewAccess(snap)
		d.extra = append(d.extra, snap)
		if len(objs.Of("networking.istio.io", "VirtualService")) > 0 {
			d.routers = []namedRouter{{router: istio.NewRoutes(snap)}}
		} else {
			d.notes = append(d.notes, "The output holds no VirtualService: routing was not compared.")
		}
	}
	return d, nil
}

func isKnownGAMMA(mesh string) bool { return mesh == "istio" || mesh == "linkerd" }

func enforcement(mesh string) string {
	switch mesh {
	case "osm":
		return "OSM with enablePermissiveTrafficPolicy off"
	case "traefik-mesh":
		return "Traefik Mesh in ACL mode"
	}
	return "the consumer enforces TrafficTargets"
}

// defaultPolicyAnnotations collects config.linkerd.io/default-inbound-policy annotations from
// the input's and output's Namespaces, and from the input's workloads (pod template first).
func defaultPolicyAnnotations(in Input, objs semantics.Objects, lo linkerd.Options) (map[string]string, map[string]string) {
	nsp, wlp := map[string]string{}, map[string]string{}
	for k, v := range lo.NamespacePolicies {
		nsp[k] = v
	}
	for k, v := range lo.WorkloadPolicies {
		wlp[k] = v
	}
	const key = v1beta3.DefaultInboundPolicyAnnotation
	if inv := in.Inventory; inv != nil {
		for _, ns := range inv.Namespaces {
			if v, ok := ns.Annotations[key]; ok {
				nsp[ns.Name] = v
			}
		}
		workload := func(ns, name string, meta, pod map[string]string) {
			if v, ok := meta[key]; ok {
				wlp[ns+"/"+name] = v
			}
			if v, ok := pod[key]; ok {
				wlp[ns+"/"+name] = v
			}
		}
		for _, d := range inv.Deployments {
			workload(d.Namespace, d.Name, d.Annotations, d.Spec.Template.Annotations)
		}
		for _, s := range inv.StatefulSets {
			workload(s.Namespace, s.Name, s.Annotations, s.Spec.Template.Annotations)
		}
		for _, s := range inv.DaemonSets {
			workload(s.Namespace, s.Name, s.Annotations, s.Spec.Template.Annotations)
		}
		for _, p := range inv.Pods {
			workload(p.Namespace, p.Name, nil, p.Annotations)
		}
	}
	for _, o := range objs.Of("", "Namespace") {
		if v, ok := o.GetAnnotations()[key]; ok {
			nsp[o.GetName()] = v
		}
	}
	for _, kind := range []string{"Deployment", "StatefulSet", "DaemonSet"} {
		for _, o := range objs.Of(appsv1.GroupName, kind) {
			if v, ok := semantics.StringMap(o.Object, "spec", "template", "metadata", "annotations")[key]; ok {
				wlp[o.GetNamespace()+"/"+o.GetName()] = strings.TrimSpace(v)
			}
		}
	}
	return nsp, wlp
}

// routedServices returns the Services the output's GAMMA routes and TrafficSplits name.
func routedServices(objs semantics.Objects) []model.ServiceRef {
	var out []model.ServiceRef
	for _, kind := range []string{"HTTPRoute", "TCPRoute", "GRPCRoute", "TLSRoute"} {
		for _, o := range objs.Of("gateway.networking.k8s.io", kind) {
			for _, p := range semantics.Maps(semantics.List(o.Object, "spec", "parentRefs")) {
				if g, ok := p["group"].(string); ok && g == "" && semantics.Str(p, "kind") == "Service" {
					ns := semantics.Str(p, "namespace")
					if ns == "" {
						ns = o.GetNamespace()
					}
					out = append(out, model.ServiceRef{Namespace: ns, Name: semantics.Str(p, "name")})
				}
			}
		}
	}
	for _, o := range objs.Of("split.smi-spec.io", "TrafficSplit") {
		root, _, _ := strings.Cut(semantics.Str(o.Object, "spec", "service"), ".")
		out = append(out, model.ServiceRef{Namespace: o.GetNamespace(), Name: root})
	}
	return out
}
