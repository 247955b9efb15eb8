package linkerd

import (
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// serverAuthorization is a policy.linkerd.io ServerAuthorization: the older form of an
// authorization, naming its Servers by name or label selector.
type serverAuthorization struct {
	namespace, server string
	selector          map[string]any
	authorization
}

// readServerAuthorization reads spec.server (name or selector) and spec.client: meshTLS
// (identities, serviceAccounts, or unauthenticatedTLS) or unauthenticated, and networks.
func readServerAuthorization(m map[string]any, ns, ref, trustDomain string) serverAuthorization {
	sa := serverAuthorization{namespace: ns, server: semantics.Str(m, "spec", "server", "name"),
		selector: semantics.Map(m, "spec", "server", "selector"), authorization: authorization{ref: ref}}
	cl := semantics.Map(m, "spec", "client")
	if nets := readNetworks(semantics.List(cl, "networks")); len(nets) > 0 {
		sa.authns = append(sa.authns, func(c client) bool { return inNetworks(nets, c.ip) })
	}
	if v, _ := cl["unauthenticated"].(bool); v {
		return sa
	}
	mtls := semantics.Map(cl, "meshTLS")
	if v, _ := mtls["unauthenticatedTLS"].(bool); v {
		return sa // TLS without a client identity: as good as unauthenticated for verify
	}
	var refs []any
	for _, s := range semantics.Maps(semantics.List(mtls, "serviceAccounts")) {
		refs = append(refs, map[string]any{"kind": "ServiceAccount", "name": semantics.Str(s, "name"), "namespace": semantics.Str(s, "namespace")})
	}
	spec := map[string]any{"spec": map[string]any{"identities": semantics.List(mtls, "identities"), "identityRefs": refs}}
	sa.authns = append(sa.authns, meshTLS(spec, ns, trustDomain))
	return sa
}
