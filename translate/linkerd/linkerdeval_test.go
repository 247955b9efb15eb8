package linkerd

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshbridge/meshbridge/model"
)

// linkerdVerdict is how Linkerd (policy controller 2.20 and proxy) decides a request under the
// emitted objects, with the cluster's default inbound policy all-unauthenticated. When routes
// tie on precedence, the winner depends on their age: allowSome is true when some candidate
// admits the request, allowAll when every candidate does.
type linkerdVerdict struct {
	allowSome, allowAll bool
	why                 string
}

// linkerdDecide evaluates req (model.Request: destination namespace, pod labels and port;
// caller principal and IP; HTTP method, path and headers) against objs.
func linkerdDecide(t *testing.T, objs []*unstructured.Unstructured, req model.Request, trustDomain string) linkerdVerdict {
	t.Helper()
	var servers []*unstructured.Unstructured
	for _, s := range ofKind(objs, "Server") {
		if s.GetNamespace() != req.Namespace {
			continue
		}
		port, _, _ := unstructured.NestedInt64(s.Object, "spec", "port")
		selMap, _, _ := unstructured.NestedMap(s.Object, "spec", "podSelector")
		var ls metav1.LabelSelector
		if err := runtimeConvert(selMap, &ls); err != nil {
			t.Fatal(err)
		}
		sel, err := metav1.LabelSelectorAsSelector(&ls)
		if err != nil {
			t.Fatal(err)
		}
		if int32(port) == req.Port && sel.Matches(labels.Set(req.Labels)) {
			servers = append(servers, s)
		}
	}
	switch len(servers) {
	case 0:
		return linkerdVerdict{true, true, "no Server: default all-unauthenticated"}
	case 1:
	default:
		t.Errorf("Servers %v overlap on %s %v port %d", names(servers), req.Namespace, req.Labels, req.Port)
	}
	server := servers[0]
	serverAuthz := authzFor(objs, req.Namespace, "Server", server.GetName())
	access, _, _ := unstructured.NestedString(server.Object, "spec", "accessPolicy")
	var routes []*unstructured.Unstructured
	for _, r := range ofKind(objs, "HTTPRoute") {
		parents, _, _ := unstructured.NestedSlice(r.Object, "spec", "parentRefs")
		for _, p := range parents {
			pm := p.(map[string]any)
			if r.GetNamespace() == req.Namespace && pm["kind"] == "Server" && pm["name"] == server.GetName() {
				routes = append(routes, r)
			}
		}
	}
	admitted := func(policies []*unstructured.Unstructured) bool {
		if access == "all-unauthenticated" || access == "audit" || (access == "all-authenticated" && req.Principal != "") {
			return true
		}
		return slices.ContainsFunc(policies, func(p *unstructured.Unstructured) bool { return admits(t, objs, p, req, trustDomain) })
	}
	if len(routes) == 0 || req.TCP {
		ok := admitted(serverAuthz)
		return linkerdVerdict{ok, ok, "server " + server.GetName()}
	}
	// The best route: longest path match, then a method match, then more header matches.
	type candidate struct {
		route       *unstructured.Unstructured
		len, method int
		headers     int
	}
	var best []candidate
	path, _, _ := strings.Cut(req.Path, "?")
	for _, r := range routes {
		rules, _, _ := unstructured.NestedSlice(r.Object, "spec", "rules")
		for _, rule := range rules {
			matches, _, _ := unstructured.NestedSlice(rule.(map[string]any), "matches")
			for _, m := range matches {
				c, ok := matchRequest(m.(map[string]any), path, req)
				if !ok {
					continue
				}
				cand := candidate{r, c[0], c[1], c[2]}
				switch {
				case len(best) == 0:
					best = []candidate{cand}
				case cand.len > best[0].len || cand.len == best[0].len && (cand.method > best[0].method || cand.method == best[0].method && cand.headers > best[0].headers):
					best = []candidate{cand}
				case cand.len == best[0].len && cand.method == best[0].method && cand.headers == best[0].headers:
					best = append(best, cand)
				}
			}
		}
	}
	if len(best) == 0 {
		return linkerdVerdict{false, false, "no route matches (404)"}
	}
	v := linkerdVerdict{allowAll: true}
	for _, c := range best {
		ok := admitted(append(authzFor(objs, req.Namespace, "HTTPRoute", c.route.GetName()), serverAuthz...))
		v.allowSome = v.allowSome || ok
		v.allowAll = v.allowAll && ok
		v.why += " route " + c.route.GetName()
	}
	return v
}

// matchRequest applies one HTTPRouteMatch; it returns the matched path length, whether a
// method matched, and how many headers did.
func matchRequest(m map[string]any, path string, req model.Request) ([3]int, bool) {
	var out [3]int
	pathType, _, _ := unstructured.NestedString(m, "path", "type")
	value, _, _ := unstructured.NestedString(m, "path", "value")
	switch pathType {
	case "Exact":
		if path != value {
			return out, false
		}
		out[0] = len(path)
	case "RegularExpression":
		loc := regexp.MustCompile(value).FindStringIndex(path)
		if loc == nil || loc[0] != 0 || loc[1] != len(path) {
			return out, false
		}
		out[0] = len(path)
	default: // PathPrefix, segment-wise
		if value == "/" {
			out[0] = 1
			break
		}
		p := strings.TrimSuffix(value, "/")
		rest, ok := strings.CutPrefix(strings.TrimSuffix(path, "/"), p)
		if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
			return out, false
		}
		out[0] = len(p)
	}
	if method, ok := m["method"].(string); ok {
		if req.Method != method {
			return out, false
		}
		out[1] = 1
	}
	headers, _, _ := unstructured.NestedSlice(m, "headers")
	for _, h := range headers {
		hm := h.(map[string]any)
		v, ok := headerValue(req.Headers, hm["name"].(string))
		if !ok || !regexp.MustCompile("^(?:"+hm["value"].(string)+")$").MatchString(v) {
			return out, false
		}
		out[2]++
	}
	return out, true
}

func headerValue(h map[string]string, name string) (string, bool) {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func authzFor(objs []*unstructured.Unstructured, ns, kind, name string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, p := range ofKind(objs, "AuthorizationPolicy") {
		k, _, _ := unstructured.NestedString(p.Object, "spec", "targetRef", "kind")
		n, _, _ := unstructured.NestedString(p.Object, "spec", "targetRef", "name")
		if p.GetNamespace() == ns && k == kind && n == name {
			out = append(out, p)
		}
	}
	return out
}

// admits reports whether every authentication the policy requires holds for req. A reference
// to a missing object makes Linkerd ignore the policy.
func admits(t *testing.T, objs []*unstructured.Unstructured, p *unstructured.Unstructured, req model.Request, td string) bool {
	refs, _, _ := unstructured.NestedSlice(p.Object, "spec", "requiredAuthenticationRefs")
	for _, r := range refs {
		rm := r.(map[string]any)
		ns, _ := rm["namespace"].(string)
		if ns == "" {
			ns = p.GetNamespace()
		}
		obj := find(objs, rm["kind"].(string), ns, rm["name"].(string))
		if obj == nil {
			t.Errorf("AuthorizationPolicy %s/%s refers to missing %s %s/%s", p.GetNamespace(), p.GetName(), rm["kind"], ns, rm["name"])
			return false
		}
		switch rm["kind"] {
		case "MeshTLSAuthentication":
			if !meshTLSAdmits(obj, req, td) {
				return false
			}
		case "NetworkAuthentication":
			if !networkAdmits(obj, req) {
				return false
			}
		default:
			t.Errorf("unexpected authentication kind %v", rm["kind"])
			return false
		}
	}
	return true
}

func meshTLSAdmits(obj *unstructured.Unstructured, req model.Request, td string) bool {
	if req.Principal == "" {
		return false
	}
	parts := strings.Split(req.Principal, "/")
	if len(parts) != 5 {
		return false
	}
	id := parts[4] + "." + parts[2] + ".serviceaccount.identity.linkerd." + parts[0]
	ids, _, _ := unstructured.NestedStringSlice(obj.Object, "spec", "identities")
	for _, want := range ids {
		if want == "*" || want == id || strings.HasPrefix(want, "*.") && strings.HasSuffix(id, want[1:]) {
			return true
		}
	}
	refs, _, _ := unstructured.NestedSlice(obj.Object, "spec", "identityRefs")
	for _, r := range refs {
		rm := r.(map[string]any)
		name, _ := rm["name"].(string)
		switch rm["kind"] {
		case "ServiceAccount":
			ns, _ := rm["namespace"].(string)
			if ns == "" {
				ns = obj.GetNamespace()
			}
			if id == name+"."+ns+".serviceaccount.identity.linkerd."+td {
				return true
			}
		case "Namespace":
			if strings.HasSuffix(id, "."+name+".serviceaccount.identity.linkerd."+td) {
				return true
			}
		}
	}
	return false
}

func networkAdmits(obj *unstructured.Unstructured, req model.Request) bool {
	ip := req.SourceIP
	if ip == "" {
		ip = "192.0.2.1"
	}
	addr := netip.MustParseAddr(ip)
	nets, _, _ := unstructured.NestedSlice(obj.Object, "spec", "networks")
	for _, n := range nets {
		nm := n.(map[string]any)
		if !netip.MustParsePrefix(nm["cidr"].(string)).Contains(addr) {
			continue
		}
		except, _, _ := unstructured.NestedStringSlice(nm, "except")
		if !slices.ContainsFunc(except, func(e string) bool { return netip.MustParsePrefix(e).Contains(addr) }) {
			return true
		}
	}
	return false
}

func find(objs []*unstructured.Unstructured, kind, ns, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && o.GetNamespace() == ns && o.GetName() == name {
			return o
		}
	}
	return nil
}
