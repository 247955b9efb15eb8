// Package gatewayapi writes the model's routing as Gateway API v1 objects (sigs.k8s.io/gateway-api
// v1.6.3): HTTPRoute, GRPCRoute, TCPRoute and TLSRoute attached to Services (GAMMA mesh routes)
// or to Gateways (ingress), the Gateways themselves, one Service per DestinationRule subset, and
// the ReferenceGrants that cross-namespace references need. Everything it cannot write exactly
// is a finding (codes MB4xxx); it never writes a route that would send a request somewhere
// Istio does not.
//
// # What maps to what
//
// A VirtualService that applies to sidecars gives, for each host that is a Service, routes whose
// parentRef is that Service. In the Service's namespace a route is a producer route (every
// client); elsewhere a consumer route (clients in that namespace only). exportTo decides where
// routes go: exported everywhere from the Service's namespace, a producer route; from another
// namespace, a consumer route there (narrower than Istio, reported); exported to a list, one
// consumer route per listed namespace, never a producer route (it would reach every client).
//
// http rules become an HTTPRoute, or a GRPCRoute when the Service's port says grpc (appProtocol
// or name); Kuma gets HTTPRoutes. The route attaches to the whole Service, or to each port on its
// own when matches name ports, when a destination without port has several (Istio then keeps the
// request's port) or when ports carry HTTP and gRPC. tcp rules become one TCPRoute per port (the
// rule Istio picks first there), tls rules one TLSRoute per rule and port, with the SNI hosts an
// earlier rule does not already take.
//
// Matches: uri exact -> Exact; prefix / -> PathPrefix /; a prefix ending in / -> PathPrefix,
// which also matches the bare path (/api for /api/), so an Exact /api match goes to the rule
// Istio sends /api to (an Error when no single rule takes it); any other prefix -> PathPrefix
// plus a RegularExpression for paths that continue its last segment (Istio's /api also matches
// /apis and /apis/x). That expression is kept wherever it can be (for Istio, whose ranking is
// known, a later PathPrefix is written as an equivalent, shorter expression to keep it); when it
// must be dropped (order under an unknown ranking, prefix rewrite, GRPCRoute) its paths are
// followed in the written route: a Warning when the rules that now take them route exactly as
// the prefix's rule, an Error when they reach another destination or filters, or no rule
// (prefixes.go). regex -> RegularExpression (anchored when it has alternatives); ignoreUriCase
// -> a (?i) expression (refused under a prefix rewrite, which only a PathPrefix can carry).
// Headers and query parameters: exact -> Exact, prefix and regex -> RegularExpression, presence
// -> ".*". authority -> a Host header match (GAMMA ignores hostnames). A method pattern expands
// to one match per standard method. withoutHeaders, sourceLabels, sourceNamespace, scheme and
// non-standard methods have no equivalent: the match is dropped, and the whole route when a
// later rule would take its requests.
//
// Actions: weighted destinations -> backendRefs with weights (subsets -> the generated subset
// Services, emit.SubsetService); redirect -> RequestRedirect with Istio's default 301 written out
// (Linkerd: 301/302 only, no path); rewrite uri -> URLRewrite ReplacePrefixMatch for prefix
// matches (when Istio's string replacement and Gateway API's segment replacement agree) or
// ReplaceFullPath, authority -> hostname, regex rewrite refused; headers -> header modifier
// filters (also per backend); mirrors -> RequestMirror with percent or fraction; timeout ->
// timeouts.request and perTryTimeout -> timeouts.backendRequest, in GEP-2257 form (1.5s ->
// 1500ms; an explicit 0s, Istio's "no timeout", -> 0s, which Gateway API reads the same way);
// retries -> retry (experimental channel only) with Istio's conditions as status codes
// (attempts 0, Istio's "no retries", has no form: reported, as the implementation's default
// retries then apply); corsPolicy -> the CORS filter, exact origins only. Linkerd reads retries
// and timeouts from retry.linkerd.io and timeout.linkerd.io route annotations in whole
// milliseconds; they are written when every rule of the route agrees (Linkerd neither retries
// nor times out by default, so attempts 0 and 0s need nothing). directResponse, delegate and
// abort faults drop the rule (delays are dropped alone).
//
// Istio Gateways become Gateways of class "istio" (cilium and kuma get their own class; Linkerd
// has no Gateway): one listener per server and host, allowedRoutes from the host's namespace
// part, credentialName -> certificateRefs (in the gateway pods' namespace, with a grant),
// PASSTHROUGH -> TLS Passthrough, httpsRedirect -> a redirect HTTPRoute on that listener.
// Mutual, Istio-mutual and auto-passthrough servers are refused rather than accept clients Istio
// rejects. VirtualServices bound to a Gateway get routes attached by sectionName to the
// listeners whose host and namespace accept them, with their hosts as hostnames (a TLSRoute
// only to the listeners its SNI hosts meet).
//
// # Order and precedence
//
// Istio takes the first rule that matches; Gateway API the most specific match (Exact, longest
// PathPrefix, method, most headers, most query parameters), then the first rule in list order.
// Rules are written in Istio order, so ties resolve as in Istio, and analyzeOrder (order.go)
// reasons on Istio's meaning of each match (string prefixes included: Istio's /api contains
// /apis). It drops a later match that an earlier one contains (Istio never reaches it), all of
// an unreachable rule's matches with it, unless the two tie in rank. For every other pair of
// overlapping matches of different rules where the later one would win, it adds to the earlier
// rule a match for exactly the overlap (at least as specific as the later one), or writes a
// later PathPrefix as an equivalent shorter regular expression after an earlier regular
// expression. When none applies the route is not written and the VirtualService is reported
// (MB4010). Regular expressions are ranked as Istio ranks them (below every PathPrefix, longer
// first); for other meshes a verdict that depends on it is reported (MB4011). Linkerd ranks a
// path match by the length it matched, so an Exact and a PathPrefix of one path tie there and
// rule order decides: an Exact match for a prefix's bare path is written in a rule of its own
// ahead of the prefix's rule. Two regular
// expressions (or a regular expression and a path) whose fixed leading characters differ, case
// folding included, never overlap (start.go); any others are assumed to.
//
// Routes are split, in order, to stay within 16 rules and 128 matches (64 per rule); a tie
// between overlapping matches that lands in two routes depends on creation order and is
// reported. Output is sorted and names are stable: the VirtualService's name, with the Service,
// the port, "-mesh" beside gateway routes, or "part-NN" added only when needed.
package gatewayapi
