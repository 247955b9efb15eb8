package linkerd

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/meshbridge/meshbridge/apis/linkerd/v1alpha1"
	"github.com/meshbridge/meshbridge/apis/linkerd/v1beta3"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// Gateway API limits on one HTTPRoute (CRD validation).
const (
	maxMatchesPerRule  = 64
	maxMatchesPerRoute = 128
)

// claim reserves name for an object of kind in ns with the given content. It returns the name
// to use, and false when an identical object was already written under it (so it is shared,
// not written twice). A name taken by different content gets a hash of the content appended.
func (w *writer) claim(kind, ns, name, content string) (string, bool) {
	key := kind + "/" + ns + "/" + name
	prev, taken := w.names[key]
	switch {
	case !taken:
		w.names[key] = content
		return name, true
	case prev == content:
		return name, false
	}
	sum := sha256.Sum256([]byte(content))
	return w.claim(kind, ns, emit.Name(name, hex.EncodeToString(sum[:])[:6]), content)
}

// meta names an object and lists its Istio sources, as emit.AddSources does.
func meta(ns, name string, sources []string) metav1.ObjectMeta {
	m := metav1.ObjectMeta{Name: name, Namespace: ns, Annotations: map[string]string{}}
	if len(sources) > 0 {
		sources = slices.Clone(sources)
		slices.Sort(sources)
		m.Annotations[emit.SourceAnnotation] = strings.Join(slices.Compact(sources), ",")
	}
	return m
}

func (w *writer) add(obj *unstructured.Unstructured) { w.each(obj) }

func serverObject(ns, name string, c conjunct, port int32, access v1beta3.AccessPolicy, sources []string) *unstructured.Unstructured {
	return emit.MustObject(&v1beta3.Server{
		ObjectMeta: meta(ns, name, sources),
		Spec: v1beta3.ServerSpec{
			PodSelector:  c.selector(),
			Port:         intstr.FromInt32(port),
			AccessPolicy: access,
		},
	}, v1beta3.GroupVersion.WithKind(v1beta3.KindServer))
}

// routeObjects renders an inbound route as HTTPRoutes (gateway.networking.k8s.io/v1, parent the
// Server), as many as the Gateway API's limits on matches require.
func routeObjects(ns, name, server string, req requests, sources []string, generated bool) []*unstructured.Unstructured {
	matches := routeMatches(req)
	var out []*unstructured.Unstructured
	for part := 0; part*maxMatchesPerRoute < len(matches); part++ {
		chunk := matches[part*maxMatchesPerRoute : min(len(matches), (part+1)*maxMatchesPerRoute)]
		n := name
		if part > 0 {
			n = emit.Name(name, "part", strconv.Itoa(part+1))
		}
		route := &gatewayv1.HTTPRoute{ObjectMeta: meta(ns, n, sources)}
		if generated {
			route.Annotations[emit.GeneratedAnnotation] = "true"
		}
		group, kind := gatewayv1.Group(v1beta3.GroupVersion.Group), gatewayv1.Kind(v1beta3.KindServer)
		route.Spec.ParentRefs = []gatewayv1.ParentReference{{Group: &group, Kind: &kind, Name: gatewayv1.ObjectName(server)}}
		for i := 0; i < len(chunk); i += maxMatchesPerRule {
			route.Spec.Rules = append(route.Spec.Rules, gatewayv1.HTTPRouteRule{Matches: chunk[i:min(len(chunk), i+maxMatchesPerRule)]})
		}
		u := emit.MustObject(route, gatewayv1.SchemeGroupVersion.WithKind("HTTPRoute"))
		delete(u.Object, "status")
		out = append(out, u)
	}
	return out
}

// routeNames returns the names routeObjects gives the parts of a route.
func routeNames(name string, req requests) []string {
	n := len(routeMatches(req))
	names := []string{name}
	for part := 1; part*maxMatchesPerRoute < n; part++ {
		names = append(names, emit.Name(name, "part", strconv.Itoa(part+1)))
	}
	return names
}

func routeMatches(req requests) []gatewayv1.HTTPRouteMatch {
	bs := req.blocks
	if req.all {
		bs = []block{{path: pathMatch{kind: pathAny}}}
	}
	out := make([]gatewayv1.HTTPRouteMatch, 0, len(bs))
	for _, b := range bs {
		m := gatewayv1.HTTPRouteMatch{}
		pathType, value := gatewayv1.PathMatchPathPrefix, "/"
		switch {
		case b.path.exact != "":
			pathType, value = gatewayv1.PathMatchExact, b.path.exact
		case b.path.regex != "":
			pathType, value = gatewayv1.PathMatchRegularExpression, b.path.regex
		}
		m.Path = &gatewayv1.HTTPPathMatch{Type: &pathType, Value: &value}
		if b.method != "" {
			method := gatewayv1.HTTPMethod(b.method)
			m.Method = &method
		}
		for _, h := range b.headers {
			regex := gatewayv1.HeaderMatchRegularExpression
			m.Headers = append(m.Headers, gatewayv1.HTTPHeaderMatch{Type: &regex, Name: gatewayv1.HTTPHeaderName(h), Value: ".+"})
		}
		out = append(out, m)
	}
	return out
}

// authorization writes the AuthorizationPolicies (and the authentications they need) that
// admit g's clients to target (a Server or an HTTPRoute). A set of identities that mixes the
// mesh's own (identity references) with other trust domains' (identity strings) takes two
// MeshTLSAuthentications, since one may hold only one kind, and so two policies.
func (w *writer) authorization(ns string, target v1alpha1.LocalTargetRef, g grant, sources []string) {
	meshes := []v1alpha1.MeshTLSAuthenticationSpec{{}} // no identity required
	if !g.clients.unauth {
		if meshes = w.meshTLSSpecs(g.clients.ids); len(meshes) == 0 {
			return // no identity: admit no one
		}
	}
	var netRef *v1alpha1.NamespacedTargetRef
	if !g.clients.nets.any {
		if g.clients.nets.empty() {
			return // no address: admit no one
		}
		name, fresh := w.claim(v1alpha1.KindNetworkAuthentication, ns, emit.Name(g.label(), "net"), g.clients.nets.key())
		if fresh {
			spec := v1alpha1.NetworkAuthenticationSpec{}
			for _, n := range g.clients.nets.nets {
				net := v1alpha1.Network{Cidr: n.cidr.String()}
				for _, e := range n.except {
					net.Except = append(net.Except, e.String())
				}
				spec.Networks = append(spec.Networks, net)
			}
			w.add(emit.MustObject(&v1alpha1.NetworkAuthentication{ObjectMeta: meta(ns, name, sources), Spec: spec},
				v1alpha1.GroupVersion.WithKind(v1alpha1.KindNetworkAuthentication)))
		}
		netRef = &v1alpha1.NamespacedTargetRef{Group: v1alpha1.GroupVersion.Group, Kind: v1alpha1.KindNetworkAuthentication, Name: name}
	}
	for i, spec := range meshes {
		suffix := ""
		if i > 0 {
			suffix = "ext"
		}
		refs := []v1alpha1.NamespacedTargetRef{}
		if len(spec.Identities)+len(spec.IdentityRefs) > 0 {
			content := strings.Join(spec.Identities, ",") + "|" + refsKey(spec.IdentityRefs)
			name, fresh := w.claim(v1alpha1.KindMeshTLSAuthentication, ns, emit.Name(g.label(), suffix), content)
			if fresh {
				w.add(emit.MustObject(&v1alpha1.MeshTLSAuthentication{ObjectMeta: meta(ns, name, sources), Spec: spec},
					v1alpha1.GroupVersion.WithKind(v1alpha1.KindMeshTLSAuthentication)))
			}
			refs = append(refs, v1alpha1.NamespacedTargetRef{Group: v1alpha1.GroupVersion.Group, Kind: v1alpha1.KindMeshTLSAuthentication, Name: name})
		}
		if netRef != nil {
			refs = append(refs, *netRef)
		}
		content := target.Kind + "/" + target.Name + "|" + refsKey(refs)
		name, fresh := w.claim(v1alpha1.KindAuthorizationPolicy, ns, emit.Name(target.Name, g.label(), suffix), content)
		if !fresh {
			continue
		}
		w.add(emit.MustObject(&v1alpha1.AuthorizationPolicy{
			ObjectMeta: meta(ns, name, sources),
			Spec:       v1alpha1.AuthorizationPolicySpec{TargetRef: target, RequiredAuthenticationRefs: refs},
		}, v1alpha1.GroupVersion.WithKind(v1alpha1.KindAuthorizationPolicy)))
	}
}

// meshTLSSpecs renders an identity set: identityRefs for the mesh's own trust domain (which
// Linkerd fills in), identity strings for "*" and for other trust domains.
func (w *writer) meshTLSSpecs(ids idset) []v1alpha1.MeshTLSAuthenticationSpec {
	if ids.any {
		return []v1alpha1.MeshTLSAuthenticationSpec{{Identities: []string{"*"}}}
	}
	var refs, strs v1alpha1.MeshTLSAuthenticationSpec
	if ids.anyLocal {
		strs.Identities = append(strs.Identities, "*.serviceaccount.identity.linkerd."+w.snap.TrustDomain)
	}
	for _, ns := range ids.nss {
		refs.IdentityRefs = append(refs.IdentityRefs, v1alpha1.NamespacedTargetRef{Kind: "Namespace", Name: ns})
	}
	for _, id := range ids.sas {
		if id.td == "" {
			refs.IdentityRefs = append(refs.IdentityRefs, v1alpha1.NamespacedTargetRef{Kind: "ServiceAccount", Name: id.sa, Namespace: id.ns})
		} else {
			strs.Identities = append(strs.Identities, id.linkerdName(w.snap.TrustDomain))
		}
	}
	var out []v1alpha1.MeshTLSAuthenticationSpec
	if len(refs.IdentityRefs) > 0 {
		out = append(out, refs)
	}
	if len(strs.Identities) > 0 {
		out = append(out, strs)
	}
	return out
}

func refsKey(refs []v1alpha1.NamespacedTargetRef) string {
	var parts []string
	for _, r := range refs {
		parts = append(parts, r.Group+"/"+r.Kind+"/"+r.Namespace+"/"+r.Name)
	}
	return strings.Join(parts, ",")
}
