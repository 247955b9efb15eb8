package model

// Codes found by the Gateway API writer.
const (
	CodeGWHostNotService         Code = "MB4001"
	CodeGWExportToWidened        Code = "MB4002"
	CodeGWExportToProducer       Code = "MB4003"
	CodeGWExportToHidden         Code = "MB4004"
	CodeGWConsumerRoute          Code = "MB4005"
	CodeGWMatchNotExpressible    Code = "MB4006"
	CodeGWRouteNotWritten        Code = "MB4007"
	CodeGWRuleUnreachable        Code = "MB4008"
	CodeGWOrderMatchAdded        Code = "MB4009"
	CodeGWOrderNotPreserved      Code = "MB4010"
	CodeGWRegexPrecedence        Code = "MB4011"
	CodeGWPrefixNotSegment       Code = "MB4012"
	CodeGWPrefixTrailingSlash    Code = "MB4013"
	CodeGWBackendNotService      Code = "MB4014"
	CodeGWSubsetService          Code = "MB4015"
	CodeGWTooManyBackends        Code = "MB4016"
	CodeGWRedirectNotWritten     Code = "MB4017"
	CodeGWRedirectApproximated   Code = "MB4018"
	CodeGWRewriteNotWritten      Code = "MB4019"
	CodeGWRewriteApproximated    Code = "MB4020"
	CodeGWHeaderEditDropped      Code = "MB4021"
	CodeGWMirrorDropped          Code = "MB4022"
	CodeGWTimeoutDropped         Code = "MB4023"
	CodeGWRetryDropped           Code = "MB4024"
	CodeGWCORSDropped            Code = "MB4025"
	CodeGWRouteSplit             Code = "MB4026"
	CodeGWSplitOrder             Code = "MB4027"
	CodeGWL4NotWritten           Code = "MB4028"
	CodeGWL4MeshSupport          Code = "MB4029"
	CodeGWKindNotRead            Code = "MB4030"
	CodeGWUnknownProfile         Code = "MB4031"
	CodeGWServerNotWritten       Code = "MB4032"
	CodeGWGatewayNotWritten      Code = "MB4033"
	CodeGWGatewaySelector        Code = "MB4034"
	CodeGWGatewayMissing         Code = "MB4035"
	CodeGWGRPCAsHTTP             Code = "MB4036"
	CodeGWSameHost               Code = "MB4037"
	CodeGWRuleNameDropped        Code = "MB4038"
	CodeGWActionNotExpressible   Code = "MB4039"
	CodeGWNoPort                 Code = "MB4040"
	CodeGWFaultDropped           Code = "MB4041"
	CodeGWRuleApproximated       Code = "MB4042"
	CodeGWHostnameNotExpressible Code = "MB4043"
	CodeGWAccessNotExpressible   Code = "MB4044"
	CodeGWPrefixRestMisrouted    Code = "MB4045"
	CodeGWBarePathAdded          Code = "MB4046"
	CodeGWBarePathMisrouted      Code = "MB4047"
	CodeGWRetriesOffDropped      Code = "MB4048"
)

var gatewayAPICatalog = []CatalogEntry{
	{
		Code: CodeGWHostNotService, Severity: Warning, Title: "Mesh route host is not a Service",
		Meaning: "A mesh (GAMMA) route attaches to a Kubernetes Service. This host of the VirtualService is not a " +
			"Service in the input, so no route was written for it.",
		Remedy: "Include the Service's manifest in the input; external hosts need a mesh-specific egress object.",
	},
	{
		Code: CodeGWExportToWidened, Severity: Warning, Title: "Consumer route narrower than exportTo",
		Meaning: "The VirtualService lives in another namespace than its Service and is exported to every namespace. " +
			"A Gateway API route in that namespace is a consumer route: it applies only to clients in its own " +
			"namespace. Clients elsewhere now reach the Service without these rules.",
		Remedy: "Move the VirtualService to the Service's namespace (a producer route), or copy the route into " +
			"each client namespace that needs it.",
	},
	{
		Code: CodeGWExportToProducer, Severity: Error, Title: "exportTo cannot be kept by a producer route",
		Meaning: "The VirtualService is visible to a limited set of namespaces that includes the Service's own. A " +
			"route in the Service's namespace applies to every client in the mesh, so it would route clients " +
			"that Istio does not. It was not written for that namespace.",
		Remedy: "Drop exportTo if every namespace may use the rules, or keep the rules only for the client " +
			"namespaces (consumer routes) by moving the VirtualService out of the Service's namespace.",
	},
	{
		Code: CodeGWExportToHidden, Severity: Info, Title: "VirtualService exported nowhere",
		Meaning: "exportTo \"~\" hides the VirtualService from every namespace; nothing was written for it.",
		Remedy:  "Nothing to do, unless the rules are meant to apply somewhere.",
	},
	{
		Code: CodeGWConsumerRoute, Severity: Error, Title: "Consumer routes not supported by the mesh",
		Meaning: "The route would be a consumer route (in another namespace than its Service), which the chosen " +
			"mesh does not implement (no MeshConsumerRoute support). It was not written.",
		Remedy: "Move the VirtualService to the Service's namespace, or choose a mesh that supports consumer routes.",
	},
	{
		Code: CodeGWMatchNotExpressible, Severity: Error, Title: "Match condition not expressible",
		Meaning: "A match uses a condition Gateway API has no field for (withoutHeaders, sourceLabels, " +
			"sourceNamespace, scheme, a non-standard method, an invalid header name, ...). The match was dropped: " +
			"requests it matched are no longer routed by this rule, and no later rule could catch them.",
		Remedy: "Rewrite the match with paths, headers, query parameters and standard methods only, or route " +
			"those requests by hand.",
	},
	{
		Code: CodeGWRouteNotWritten, Severity: Error, Title: "Route not written",
		Meaning: "A rule of the VirtualService could not be written faithfully, and later rules would have taken " +
			"its requests, sending them where Istio does not. The whole route for this parent was left out; " +
			"the parent's traffic follows the plain Service.",
		Remedy: "Fix the findings about the rule named in the message, then translate again.",
	},
	{
		Code: CodeGWRuleUnreachable, Severity: Warning, Title: "Unreachable rule dropped",
		Meaning: "Every request this match accepts is taken by an earlier rule in Istio, so Istio never uses it. " +
			"Gateway API ranks rules by specificity, not order, and would revive it; it was dropped.",
		Remedy: "Remove or reorder the rule in the VirtualService.",
	},
	{
		Code: CodeGWOrderMatchAdded, Severity: Info, Title: "Match added to keep Istio order",
		Meaning: "A later rule is more specific than an earlier one it overlaps, so Gateway API would prefer it. " +
			"A copy of the earlier rule narrowed to the overlap was added so the overlap keeps Istio's destination.",
		Remedy: "Nothing to do.",
	},
	{
		Code: CodeGWOrderNotPreserved, Severity: Error, Title: "Rule order cannot be preserved",
		Meaning: "A later rule overlaps an earlier one and wins by Gateway API precedence, and the overlap cannot " +
			"be expressed as a match of its own. Written as is, the route would send requests where Istio does " +
			"not, so it was left out.",
		Remedy: "Make the earlier rule at least as specific (exact paths, longer prefixes, more header matches) or " +
			"split the VirtualService so that rules do not overlap.",
	},
	{
		Code: CodeGWRegexPrecedence, Severity: Warning, Title: "Regular expression precedence is implementation-specific",
		Meaning: "Gateway API leaves the rank of RegularExpression path matches to each implementation. This " +
			"route keeps Istio's order under Istio's ranking (Exact, then PathPrefix, then RegularExpression, " +
			"longest first), which the chosen mesh may not share.",
		Remedy: "Check the mesh's documented precedence, or replace regular expressions with exact or prefix matches.",
	},
	{
		Code: CodeGWPrefixNotSegment, Severity: Warning, Title: "Prefix does not end at a path segment",
		Meaning: "Istio prefixes are string prefixes (/api matches /apis); Gateway API PathPrefix matches whole " +
			"segments. Paths that continue the last segment were given a RegularExpression match, which had to be " +
			"dropped here (precedence or rewrite). Another rule that routes exactly as this one does now takes " +
			"such paths, so they keep their destination and filters.",
		Remedy: "End the prefix with / (or use a regex) in the VirtualService to avoid the extra match.",
	},
	{
		Code: CodeGWPrefixTrailingSlash, Severity: Info, Title: "PathPrefix also matches the bare path",
		Meaning: "An Istio prefix ending in / (such as /api/) does not match /api itself; Gateway API ignores the " +
			"trailing slash, so the route also matches /api. Retired: /api may change destination, which is not " +
			"mere information; MB4046 and MB4047 replace it.",
		Remedy:  "Nothing to do.",
		Retired: true,
	},
	{
		Code: CodeGWBackendNotService, Severity: Error, Title: "Destination is not a Service",
		Meaning: "A destination host is not a Service in the input (external host, ServiceEntry, missing manifest). " +
			"Gateway API backends must be Services, so the rule was not written.",
		Remedy: "Include the Service in the input, or route external hosts with a mesh-specific object.",
	},
	{
		Code: CodeGWSubsetService, Severity: Error, Title: "Subset cannot be routed to",
		Meaning: "The destination's subset did not resolve, or no Service could be generated for it (Service " +
			"without selector or ports, contradicting labels, name clash). The rule was not written.",
		Remedy: "Add the DestinationRule, or give the Service a selector compatible with the subset labels.",
	},
	{
		Code: CodeGWTooManyBackends, Severity: Error, Title: "Too many destinations",
		Meaning: "Gateway API allows 16 backends per rule and a rule's traffic cannot be spread over several rules. " +
			"The rule was not written.",
		Remedy: "Reduce the rule to 16 destinations.",
	},
	{
		Code: CodeGWRedirectNotWritten, Severity: Error, Title: "Redirect not expressible",
		Meaning: "The redirect uses a status code, host, scheme or path the destination does not accept, so the rule " +
			"was not written.",
		Remedy: "Use status 301 or 302 (all profiles) or 303/307/308 (not Linkerd), and a plain host name.",
	},
	{
		Code: CodeGWRedirectApproximated, Severity: Warning, Title: "Redirect approximated",
		Meaning: "The redirect was written with a close substitute: a status code the profile accepts, or a port " +
			"derived differently from Istio's.",
		Remedy: "Check that clients accept the substitute.",
	},
	{
		Code: CodeGWRewriteNotWritten, Severity: Error, Title: "Rewrite not expressible",
		Meaning: "Gateway API URLRewrite has no regex rewrite, replaces prefixes segment by segment, and is not read " +
			"by every mesh. This rewrite would give the backend a different path, so the rule was not written.",
		Remedy: "Use a prefix rewrite where prefix and replacement both end with / (or both do not), or a full " +
			"path rewrite on exact matches.",
	},
	{
		Code: CodeGWRewriteApproximated, Severity: Warning, Title: "Rewrite approximated",
		Meaning: "The rewritten path differs from Istio's in slashes only: Istio replaces a prefix such as /api with / " +
			"giving //x, Gateway API gives /x.",
		Remedy: "Nothing to do unless the backend relies on the doubled slash.",
	},
	{
		Code: CodeGWHeaderEditDropped, Severity: Warning, Title: "Header edit dropped",
		Meaning: "A header set, add or remove could not be written (invalid header name, empty value, or more than 16 " +
			"entries) and was left out.",
		Remedy: "Edit the header by other means.",
	},
	{
		Code: CodeGWMirrorDropped, Severity: Warning, Title: "Mirror dropped",
		Meaning: "Mirroring was left out: the destination mesh does not read RequestMirror, or the mirror host is not " +
			"a Service. Requests still reach their destination, unmirrored.",
		Remedy: "Mirror traffic with another tool.",
	},
	{
		Code: CodeGWTimeoutDropped, Severity: Warning, Title: "Timeout dropped or approximated",
		Meaning: "The timeout could not be written as is (GRPCRoute has no timeouts, sub-millisecond precision, or a " +
			"per-route annotation cannot hold differing rule timeouts).",
		Remedy: "Set the timeout on the client or with a mesh-specific policy.",
	},
	{
		Code: CodeGWRetryDropped, Severity: Warning, Title: "Retries dropped or narrowed",
		Meaning: "Retries were left out (standard channel, GRPCRoute, differing rules under one annotation) or some " +
			"retry conditions have no equivalent and were dropped.",
		Remedy: "Use the experimental channel, or configure retries with a mesh-specific policy.",
	},
	{
		Code: CodeGWCORSDropped, Severity: Warning, Title: "CORS policy dropped or narrowed",
		Meaning: "The CORS policy was left out (the mesh does not read the CORS filter, or no origin is expressible), " +
			"or origins, methods or headers with no Gateway API form were dropped from it.",
		Remedy: "List exact origins (scheme://host[:port], optionally *.domain) and standard methods.",
	},
	{
		Code: CodeGWRouteSplit, Severity: Info, Title: "Route split",
		Meaning: "The route exceeded Gateway API limits (16 rules, 128 matches, 64 matches per rule) and was split in " +
			"order into several routes or rules.",
		Remedy: "Nothing to do.",
	},
	{
		Code: CodeGWSplitOrder, Severity: Warning, Title: "Split route relies on creation order",
		Meaning: "After splitting, two overlapping rules with equal precedence sit in different routes. Gateway API " +
			"then prefers the older route, then the name; names keep Istio's order, creation times may not.",
		Remedy: "Create the routes in name order, or reduce the VirtualService below the limits.",
	},
	{
		Code: CodeGWL4NotWritten, Severity: Error, Title: "TCP/TLS route not written",
		Meaning: "A tcp or tls rule matches on something TCPRoute and TLSRoute cannot express (source labels or " +
			"namespace, destination subnets, SNI \"*\"), so Istio's first-match order cannot be kept and nothing was " +
			"written for the ports concerned.",
		Remedy: "Match on port and SNI host only.",
	},
	{
		Code: CodeGWL4MeshSupport, Severity: Warning, Title: "Mesh TCP/TLS route support is implementation-specific",
		Meaning: "No mesh conformance profile covers TCPRoute or TLSRoute attached to a Service; the chosen mesh may " +
			"ignore them.",
		Remedy: "Check the mesh's documentation.",
	},
	{
		Code: CodeGWKindNotRead, Severity: Error, Title: "Kind not read by the mesh",
		Meaning: "The destination mesh does not read this kind (Linkerd: TCPRoute and TLSRoute at v1, Gateway), so it " +
			"was not written.",
		Remedy: "Use another mechanism of the mesh for this traffic.",
	},
	{
		Code: CodeGWUnknownProfile, Severity: Warning, Title: "Unknown mesh or channel",
		Meaning: "The mesh or channel is not one the Gateway API writer knows; the generic profile (standard " +
			"channel unless experimental was asked for) was used.",
		Remedy: "Use --mesh istio, linkerd, cilium or kuma, and --channel standard or experimental.",
	},
	{
		Code: CodeGWServerNotWritten, Severity: Error, Title: "Gateway server not written",
		Meaning: "A Gateway server has no Gateway API listener equivalent (mutual or Istio mutual TLS, " +
			"auto-passthrough, unknown protocol, invalid or duplicate host). It was left out rather than accept " +
			"connections Istio would refuse.",
		Remedy: "Configure the listener by hand with the implementation's client certificate validation.",
	},
	{
		Code: CodeGWGatewayNotWritten, Severity: Error, Title: "Gateway not written",
		Meaning: "No server of the Gateway could be written, so no Gateway object was produced and routes bound to " +
			"it were not written either.",
		Remedy: "Fix the Gateway's server findings.",
	},
	{
		Code: CodeGWGatewaySelector, Severity: Info, Title: "Gateway selector not translated",
		Meaning: "An Istio Gateway configures existing proxies chosen by selector; a Gateway API Gateway gets proxies " +
			"of its own from its GatewayClass, with new addresses.",
		Remedy: "Point DNS or load balancers at the new Gateway's address.",
	},
	{
		Code: CodeGWGatewayMissing, Severity: Warning, Title: "Bound Gateway not available",
		Meaning: "The VirtualService names a Gateway that is not in the input or was not written; no route was " +
			"attached to it.",
		Remedy: "Include the Gateway, or fix its findings.",
	},
	{
		Code: CodeGWGRPCAsHTTP, Severity: Info, Title: "gRPC written as HTTPRoute",
		Meaning: "The destination mesh does not read GRPCRoute for mesh traffic; gRPC is HTTP/2, so the rules were " +
			"written as an HTTPRoute on the same paths.",
		Remedy: "Nothing to do.",
	},
	{
		Code: CodeGWSameHost, Severity: Warning, Title: "Several VirtualServices for one Service",
		Meaning: "Istio uses only one VirtualService per host for sidecars; Gateway API merges every route attached " +
			"to a Service by precedence. The routes were written, but their combined behaviour differs.",
		Remedy: "Merge the VirtualServices into one.",
	},
	{
		Code: CodeGWRuleNameDropped, Severity: Info, Title: "Rule names dropped",
		Meaning: "The destination mesh reads only Gateway API 1.2.1 fields and ignores a route that names its rules, " +
			"so rule names were left out.",
		Remedy: "Nothing to do.",
	},
	{
		Code: CodeGWActionNotExpressible, Severity: Error, Title: "Rule action not expressible",
		Meaning: "The rule answers without forwarding (directResponse, an abort fault) or delegates to another " +
			"VirtualService; Gateway API has no such action, so the rule was not written.",
		Remedy: "Serve the response from a backend Service, or inline the delegate's rules.",
	},
	{
		Code: CodeGWNoPort, Severity: Warning, Title: "No port for the route",
		Meaning: "The Service has no port the rules can apply to (no HTTP port for http rules, no TCP port for tcp " +
			"rules, none named by the matches), or a destination's port cannot be chosen; nothing was written for it.",
		Remedy: "Name the Service ports after their protocol (http-, grpc-, tcp-) or set appProtocol, and give " +
			"destinations a port.",
	},
	{
		Code: CodeGWFaultDropped, Severity: Warning, Title: "Fault delay dropped",
		Meaning: "Gateway API has no fault injection; the delay was left out and requests are forwarded at once.",
		Remedy:  "Inject faults with a test tool or a mesh-specific policy.",
	},
	{
		Code: CodeGWRuleApproximated, Severity: Warning, Title: "Rule approximated",
		Meaning: "The reader kept fields of this rule that no target can express (listed in the message); the rule " +
			"was written without them.",
		Remedy: "Review the reader's findings for the rule.",
	},
	{
		Code: CodeGWHostnameNotExpressible, Severity: Warning, Title: "Host name not expressible",
		Meaning: "A host is not a valid Gateway API hostname (a bare *, an IP address, a port); it was left out of the " +
			"route's hostnames or the listener.",
		Remedy: "Use DNS names, optionally with a leading *. wildcard.",
	},
	{
		Code: CodeGWAccessNotExpressible, Severity: Error, Title: "Access policy has no Gateway API form",
		Meaning: "Gateway API has routing objects but no authorization API (GEP-3779 is only a proposal), so an " +
			"AuthorizationPolicy, PeerAuthentication or v1alpha1 RBAC object has nothing to be written as. None of " +
			"the access control it gave is in the output; the destination mesh's own defaults apply instead.",
		Remedy: "Translate access with the destination's policy writer as well: --to linkerd for Linkerd, --to smi " +
			"for SMI consumers.",
	},
	{
		Code: CodeGWPrefixRestMisrouted, Severity: Error, Title: "Paths past a prefix's segment sent elsewhere",
		Meaning: "Istio prefixes are string prefixes (/api matches /apis and /api-v2); Gateway API PathPrefix " +
			"matches whole segments, so such paths need a RegularExpression match of their own. It had to be " +
			"dropped (it cannot keep Istio's order under the mesh's ranking of regular expressions, or the rule " +
			"rewrites the prefix), and those paths now reach another rule's destination or filters, or no rule " +
			"(404), instead of this rule's.",
		Remedy: "End the prefix with / in the VirtualService (the usual intent), or add a rule with a regex for the " +
			"paths that continue the segment.",
	},
	{
		Code: CodeGWBarePathAdded, Severity: Info, Title: "Exact match added for a prefix's bare path",
		Meaning: "An Istio prefix ending in / (/api/) does not match the bare path (/api); Gateway API ignores the " +
			"trailing slash of a PathPrefix, so PathPrefix /api does. An Exact /api match was added to the rule " +
			"Istio sends /api to (and to each earlier rule that takes part of those requests first), placed so that " +
			"it wins over the PathPrefix (Exact outranks PathPrefix; where the mesh ranks them alike, as Linkerd " +
			"does, in a rule of its own ahead of the prefix's rule), so /api keeps its destination.",
		Remedy: "Nothing to do.",
	},
	{
		Code: CodeGWBarePathMisrouted, Severity: Error, Title: "Bare path of a prefix sent elsewhere",
		Meaning: "An Istio prefix ending in / (/api/) does not match the bare path (/api), but Gateway API's " +
			"PathPrefix /api does, and no Exact match could give /api Istio's destination: Istio matches no rule " +
			"for it (404), or only part of it goes to a later rule, or that rule could not be written or rewrites " +
			"a prefix. Requests to the bare path now reach this rule's destination.",
		Remedy: "Route the bare path explicitly in the VirtualService (an exact match, or a catch-all rule), or " +
			"accept that /api reaches this rule.",
	},
	{
		Code: CodeGWRetriesOffDropped, Severity: Warning, Title: "Disabled retries not expressible",
		Meaning: "retries.attempts: 0 turns retries off in Istio. Gateway API cannot say so (retry.attempts must be " +
			"at least 1, and GRPCRoute has no retry field); without a retry stanza the implementation's default " +
			"retries apply, so requests may be retried where Istio does not retry them.",
		Remedy: "Turn the implementation's default retries off, or make the backend tolerate retried requests.",
	},
}
