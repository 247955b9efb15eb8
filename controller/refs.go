package controller

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
)

// The cache indexes of Istio objects by the namespaces they reference (see refsOf).
const (
	// shapesIndex: the namespaces whose output the object may shape, whose translation
	// therefore reads it.
	shapesIndex = "meshbridge.io/shapes"
	// needsIndex: the namespaces whose Services, workloads or service accounts its
	// translation reads, so that a change there translates it again.
	needsIndex = "meshbridge.io/needs"
)

// allNamespaces is the refs value of an object that reaches into every namespace.
const allNamespaces = "*"

// refs are the namespaces other than its own that an Istio object reaches into.
type refs struct {
	// needs are the namespaces whose Services, workloads or service accounts the object's
	// translation may read: destination and host namespaces, gateway and delegate
	// namespaces, source namespaces and principals.
	needs []string
	// shapes are the namespaces whose output the object's translation may write or change:
	// the namespaces of the Services and gateways it routes for or to (an HTTPRoute there,
	// a ReferenceGrant). Every namespace translation reads the objects that shape it.
	// Access policy sources (AuthorizationPolicy, ServiceRoleBinding) shape nothing outside
	// their own namespace: their outputs live beside them (placement_test.go holds every
	// writer to it), the namespaces they name are only read.
	shapes []string
}

// refsOf returns what u references. "*" stands for every namespace. It reads the object
// unstructured, so that it works on every served version and on objects too broken to decode.
// The lists are sorted and generous: including a namespace too many costs a little work,
// missing one leaves an output stale.
func refsOf(u *unstructured.Unstructured) refs {
	own := u.GetNamespace()
	both := refSet{own: own}  // needed and shaped
	needs := refSet{own: own} // only needed
	var shapes refSet
	spec, _ := u.Object["spec"].(map[string]any)
	switch u.GetKind() {
	case "VirtualService":
		both.hosts(strings1(spec, "hosts"))
		for _, g := range strings1(spec, "gateways") {
			both.gateway(g)
		}
		for _, section := range []string{"http", "tcp", "tls"} {
			for _, rule := range mapList(spec, section) {
				for _, m := range mapList(rule, "match") {
					for _, g := range strings1(m, "gateways") {
						both.gateway(g)
					}
					both.namespace(str(m, "sourceNamespace"))
				}
				for _, rt := range mapList(rule, "route") {
					both.host(str(dig(rt, "destination"), "host"))
				}
				both.host(str(dig(rule, "mirror"), "host"))
				for _, m := range mapList(rule, "mirrors") {
					both.host(str(dig(m, "destination"), "host"))
				}
				both.namespace(str(dig(rule, "delegate"), "namespace"))
			}
		}
	case "DestinationRule":
		both.host(str(spec, "host"))
	case "AuthorizationPolicy":
		for _, rule := range mapList(spec, "rules") {
			for _, from := range mapList(rule, "from") {
				src := dig(from, "source")
				needs.namespaces(strings1(src, "namespaces"), strings1(src, "notNamespaces"))
				needs.principals(strings1(src, "principals"), strings1(src, "notPrincipals"))
			}
			for _, when := range mapList(rule, "when") {
				values := append(strings1(when, "values"), strings1(when, "notValues")...)
				switch str(when, "key") {
				case "source.namespace":
					needs.namespaces(values)
				case "source.principal":
					needs.principals(values)
				}
			}
		}
	case "ServiceRole":
		for _, rule := range mapList(spec, "rules") {
			both.hosts(strings1(rule, "services"))
		}
	case "ServiceRoleBinding":
		for _, s := range mapList(spec, "subjects") {
			needs.principals([]string{str(s, "user")})
			props, _ := s["properties"].(map[string]any)
			for k, v := range props {
				if s, ok := v.(string); ok && (k == "source.namespace" || k == "namespace") {
					needs.namespace(s)
				}
			}
			needs.namespaces(strings1(s, "namespaces"), strings1(s, "not_namespaces"), strings1(s, "notNamespaces"))
		}
	case "ClusterRbacConfig", "RbacConfig":
		// Every namespace reads the switch, but each Service's policy is translated in its
		// own namespace: no namespace needs the others'.
		shapes.add(allNamespaces)
	}
	for _, ns := range both.set {
		needs.add(ns)
		shapes.add(ns)
	}
	return refs{needs: needs.sorted(), shapes: shapes.sorted()}
}

// refSet collects referenced namespaces.
type refSet struct {
	own string
	set []string
}

func (r *refSet) add(ns string) {
	if ns != "" && ns != r.own && !slices.Contains(r.set, ns) {
		r.set = append(r.set, ns)
	}
}

func (r *refSet) sorted() []string {
	slices.Sort(r.set)
	return r.set
}

// namespace adds a namespace name; a pattern (Istio allows prefix and suffix "*") means all.
func (r *refSet) namespace(ns string) {
	switch {
	case ns == "":
	case strings.Contains(ns, "*"):
		r.add(allNamespaces)
	case len(validation.IsDNS1123Label(ns)) == 0:
		r.add(ns)
	}
}

func (r *refSet) namespaces(lists ...[]string) {
	for _, l := range lists {
		for _, ns := range l {
			r.namespace(ns)
		}
	}
}

// principals adds the namespaces of SPIFFE-style principals, <trust domain>/ns/<ns>/sa/<sa>;
// a pattern without a namespace part ("*", "*/sa/x") means all.
func (r *refSet) principals(lists ...[]string) {
	for _, l := range lists {
		for _, p := range l {
			parts := strings.Split(p, "/")
			if i := slices.Index(parts, "ns"); i >= 0 && i+1 < len(parts) {
				r.namespace(parts[i+1])
			} else if strings.Contains(p, "*") {
				r.add(allNamespaces)
			}
		}
	}
}

func (r *refSet) hosts(hs []string) {
	for _, h := range hs {
		r.host(h)
	}
}

// host adds the namespace a Service host names: name (own namespace), name.ns, name.ns.svc and
// name.ns.svc.<domain>, with "*" for the wildcard host. Other hosts are not Services.
func (r *refSet) host(h string) {
	if h == "" {
		return
	}
	if h == "*" {
		r.add(allNamespaces)
		return
	}
	parts := strings.Split(h, ".")
	switch {
	case len(parts) == 1:
	case len(parts) == 2 || parts[2] == "svc":
		if parts[1] != "*" {
			r.namespace(parts[1])
		}
	}
}

// gateway adds the namespace of a gateway reference ns/name; "mesh" and bare names are local.
func (r *refSet) gateway(g string) {
	if ns, _, ok := strings.Cut(g, "/"); ok {
		r.namespace(ns)
	}
}

// Helpers over unstructured content that tolerate any shape: a field of the wrong type reads
// as absent (decoding reports it later).

func dig(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

func str(m map[string]any, key string) string {
	v, _ := m[key].(string)
	return v
}

func strings1(m map[string]any, key string) []string {
	l, _ := m[key].([]any)
	var out []string
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func mapList(m map[string]any, key string) []map[string]any {
	l, _ := m[key].([]any)
	var out []map[string]any
	for _, v := range l {
		if mm, ok := v.(map[string]any); ok {
			out = append(out, mm)
		}
	}
	return out
}
