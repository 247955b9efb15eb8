// Package linkerd decides requests under Linkerd's inbound policy, reading the
// policy.linkerd.io objects and inbound HTTPRoutes a translation emitted.
//
// A pod port that a Server selects (podSelector and port, a number or a declared port name;
// the first Server by name when several do) admits a connection when an authorization of the
// Server admits the client: an AuthorizationPolicy targeting the Server or the namespace, or
// the Server's accessPolicy (deny by default). An AuthorizationPolicy admits a client that
// satisfies all its requiredAuthenticationRefs (none: every client): MeshTLSAuthentication
// identities or identityRefs, NetworkAuthentication networks less their exceptions, a
// ServiceAccount; a reference to a missing authentication makes the policy admit no one.
// HTTP requests to a Server with inbound routes go to the best-ranked route (Linkerd ranks by
// matched path length, then method, headers and query parameters); none matching is a 404;
// the route's own policies and the Server's decide. Plain TCP connections meet only the
// Server's authorizations, and fail on a Server whose proxyProtocol is HTTP or gRPC.
//
// A port no Server selects falls back to the default inbound policy: the workload's
// config.linkerd.io/default-inbound-policy annotation, its namespace's, or the cluster's
// (all-unauthenticated unless Options say otherwise). Kubelet probes (GET on a probe path)
// are admitted from the probe networks on ports without Server or without inbound routes.
// Older ServerAuthorizations (server by name or selector; meshTLS, unauthenticated, networks)
// count as authorizations of the Servers they name. Clients are known by mesh identity,
// <sa>.<ns>.serviceaccount.identity.linkerd.<trust domain>, and by address; localhost is
// always admitted and not modelled.
package linkerd
