// Package linkerd writes the model for Linkerd 2.20: access policies and PeerAuthentications
// as policy.linkerd.io Servers (v1beta3), AuthorizationPolicies, MeshTLSAuthentications and
// NetworkAuthentications (v1alpha1), with gateway.networking.k8s.io/v1 HTTPRoutes on Servers
// for per-route policy; and routes through the Gateway API writer's linkerd profile, so that
// `--to linkerd` gives both.
//
// # The mapping
//
// Istio decides per workload and port; Linkerd per Server, which selects pods by labels and
// one container port. The writer groups the workloads of a namespace into classes that exactly
// the same policies apply to (ALLOW, DENY and CUSTOM policies, mesh-wide ones from the root
// namespace included, and PeerAuthentications), and writes, per class and port it serves,
// what Istio decides there (see Declared ports below):
//
//   - no Server where Istio allows everything (no ALLOW policy, no DENY or CUSTOM rule touching
//     the port, and mTLS PERMISSIVE or unset): Linkerd's default inbound policy is
//     all-unauthenticated too, and a Server would only add ways to get it wrong;
//   - a Server with accessPolicy all-authenticated where only STRICT mTLS restricts the port;
//   - otherwise a Server with accessPolicy deny, and one AuthorizationPolicy per source of each
//     ALLOW rule that applies to the port (several policies on a target add up, as Istio's
//     rules do). An ALLOW policy without rules allows nothing: its Servers get no
//     authorization. A rule without from admits everyone, meshed or not: an AuthorizationPolicy
//     without authentications, exactly what Linkerd means by an empty list.
//
// Each source's fields hold together, as Linkerd's required authentications do: identities
// (principals, namespaces, serviceAccounts, intersected) become one MeshTLSAuthentication,
// with identityRefs (ServiceAccount, Namespace) for the mesh's trust domain, identity strings
// (<sa>.<ns>.serviceaccount.identity.linkerd.<trust domain>) for others, and "*" for
// principals ["*"] (any meshed client); ipBlocks and notIpBlocks become a NetworkAuthentication
// whose networks except the excluded blocks. Policies without ports apply to every port the
// workloads declare; rules with ports or destination.port conditions to those ports only.
//
// Rules that constrain paths, methods or header presence go on inbound HTTPRoutes whose parent
// is the Server, one route per distinct set of requests, and their AuthorizationPolicies
// target the route. Linkerd answers a request that matches no route with 404, so a Server with
// routes also gets a catch-all route when some rule allows every request; rules that allow
// every request stay on the Server, whose authorizations Linkerd applies to every route and to
// non-HTTP traffic. A route's requests inside another route's also get the other route's
// authorizations, since Linkerd decides a request on the one route it picks. Routes turn off
// Linkerd's implicit authorization of kubelet probes, so the probes the workloads declare get a
// route of their own, open to GET from any client (Istio sent them through its agent, outside
// its policies).
//
// PeerAuthentication STRICT turns "anyone" into "any meshed client" and, alone, into
// all-authenticated Servers; PERMISSIVE is Linkerd's default; DISABLE cannot be written
// (Linkerd always uses mTLS), and since Istio sees no identity without mTLS, rules that need
// one are not written for such ports.
//
// # Declared ports
//
// Istio restricts every port of a workload; Linkerd policy is written per port. meshbridge
// assumes that a workload that declares container ports listens only on those and on the ports
// its Services target (a Server's numeric port selects a port the pod spec does not declare
// too), and writes Servers for them alone; MB5008 states the assumption on
// every translation that relies on it, with its remedy: other ports keep the cluster's default
// policy, which the config.linkerd.io/default-inbound-policy: deny annotation closes (Linkerd
// reads it when a pod starts, so for pods created afterwards). A workload that declares no port
// gives nothing to go by: when Istio restricts it, MB5016 (an error) names it, since its ports
// stay as open as the cluster's default.
//
// Policies attached by targetRefs guard a Gateway's pods (labelled with its name) or, through a
// waypoint, a Service's pods. Linkerd cannot attach policy there and the writer does not
// translate their rules; it fails closed instead: the pods it finds in the input get Servers
// that admit nothing (MB5017), and targets it cannot resolve to pods (a GatewayClass, a
// ServiceEntry, a Gateway or Service whose pods the input does not show) are reported as
// possibly wider (MB5007).
//
// # Servers never overlap
//
// Linkerd's admission refuses a Server whose port and pods overlap another's, and its
// controller would pick one of two overlapping Servers at random. A class's Server selects the
// intersection of the selectors that apply to it and the complement of every other selector in
// scope. The complement of a selector with several labels is a disjunction, written as
// disjoint selectors (k1∉{v1}; k1=v1, k2∉{v2}; …), each its own Server; selectors that select
// no workload of the input are left out. Classes differ in at least one selector, so their
// Servers are disjoint by construction, whatever pods appear later.
//
// # Never widen
//
// Linkerd can only allow, so everything else is narrowed and reported, never approximated
// wider:
//
//   - Conditions Linkerd cannot check leave out what they guard (finding MB5001, an error):
//     requestPrincipals and request.auth.* (JWT), remoteIpBlocks, hosts (Linkerd ignores the
//     Host header's port), header values (Linkerd matches each value of a repeated header on
//     its own, Istio their comma-joined value; only presence is written), connection.sni,
//     destination.ip, path templates, methods outside the Gateway API's list, and principal or
//     namespace patterns Linkerd identities cannot match. A value of a list is left out alone;
//     a field, source, operation or condition takes its source, operation or rule with it.
//   - Negations are folded only where the result is a finite allow-list: notPrincipals,
//     notNamespaces and notServiceAccounts out of a list of service accounts, notPaths out of
//     exact paths, notMethods out of the standard methods (MB5013), notPorts per port,
//     notIpBlocks as network exceptions; otherwise the source or operation is left out.
//   - DENY and CUSTOM rules are read wide (what cannot be checked is ignored, so they match
//     more) and subtracted from the allowed rules: an allowed rule they cannot touch stays; one
//     they cover goes; one they cut by method alone keeps the standard methods they leave
//     (MB5003, a warning); any other is left out (MB5002, an error). For workloads without
//     ALLOW policies the same applies to Istio's implicit allow of everyone: a DENY of whole
//     ports or methods is written exactly, any other makes the port admit nothing. CUSTOM
//     policies are reported (MB5004) and treated as denying what they match.
//   - On ports Istio handles as plain TCP (its Services name them tcp, tls, mongo, …), ALLOW
//     rules that need HTTP never match and DENY rules ignore their HTTP conditions, as in Istio.
//     Elsewhere a rule that uses HTTP attributes never reaches non-HTTP traffic: its grants go
//     on routes, even when they allow every request.
//   - Path prefixes and suffixes become regular expressions whose wildcard part refuses %, \,
//     and . or .. segments: Linkerd matches raw paths, Istio normalized ones (MB5010).
//   - Where two routes of a Server can both match a request and Linkerd's precedence (path
//     length, then method, then headers, then age) may pick the one lacking a grant the other
//     carries, MB5011 reports the narrowing.
//
// AUDIT and dry-run policies change no decision and are reported only.
//
// # Cost
//
// Classes are formed one namespace at a time from the policies an index built once per write
// gives that namespace (its own, those attached to its objects, the mesh-wide ones), so the
// writer's cost grows with the input, not with its square. Linkerd's output is the largest of
// the targets (about twice the input's YAML): Stream hands each object over as soon as it is
// made, for a caller that renders and drops it (convert), and Write collects and sorts them.
package linkerd
