package model

// Codes found by the SMI writer.
const (
	CodeSMIUnknownMesh             Code = "MB3001"
	CodeSMIAccessNotWritten        Code = "MB3002"
	CodeSMIDryRunSkipped           Code = "MB3003"
	CodeSMIAuditSkipped            Code = "MB3004"
	CodeSMITargetNotResolved       Code = "MB3005"
	CodeSMINoWorkload              Code = "MB3006"
	CodeSMISharedServiceAccount    Code = "MB3007"
	CodeSMISourcesExpanded         Code = "MB3008"
	CodeSMIUnauthenticated         Code = "MB3009"
	CodeSMISourceNotExpressible    Code = "MB3010"
	CodeSMIOperationNotExpressible Code = "MB3011"
	CodeSMIConditionNotExpressible Code = "MB3012"
	CodeSMIPortNotExpressible      Code = "MB3013"
	CodeSMIDenyFolded              Code = "MB3014"
	CodeSMIDenyNarrowed            Code = "MB3015"
	CodeSMICustomAsDeny            Code = "MB3016"
	CodeSMIDefaultAllow            Code = "MB3017"
	CodeSMIEnforcementMode         Code = "MB3018"
	CodeSMITrustDomain             Code = "MB3019"
	CodeSMIRouteFeature            Code = "MB3020"
	CodeSMIRouteNotWritten         Code = "MB3021"
	CodeSMISubsetService           Code = "MB3022"
	CodeSMIRouteMatch              Code = "MB3023"
	CodeSMIAllowNothing            Code = "MB3024"
	CodeSMINegationExpanded        Code = "MB3025"
	CodeSMIDefaultAllowNarrowed    Code = "MB3026"
	CodeSMIPlainTextPorts          Code = "MB3027"
	CodeSMIDeclaredPortsAssumed    Code = "MB3028"
	CodeSMIPortReading             Code = "MB3029"
	CodeSMIWaypointAtWorkloads     Code = "MB3030"
	CodeSMIWaypointBesideOwn       Code = "MB3031"
	CodeSMIRouteScope              Code = "MB3032"
	CodeSMIRouteOrder              Code = "MB3033"
	CodeSMIRequestsElsewhere       Code = "MB3034"
	CodeSMIRouteConflict           Code = "MB3035"
	CodeSMIRouteHidden             Code = "MB3036"
)

var smiCatalog = []CatalogEntry{
	{
		Code: CodeSMIUnknownMesh, Severity: Error, Title: "Unknown SMI consumer",
		Meaning: "The destination mesh is not one the SMI writer has a profile for, so it cannot know which API " +
			"versions the consumer serves. Nothing was written.",
		Remedy: "Use --mesh osm, traefik-mesh, linkerd-smi or smi.",
	},
	{
		Code: CodeSMIAccessNotWritten, Severity: Warning, Title: "Access policy not written for this consumer",
		Meaning: "The consumer does not implement SMI access control (linkerd-smi serves TrafficSplit only), so no " +
			"TrafficTarget was written for the policy.",
		Remedy: "Translate access policies with the Linkerd writer (--to linkerd).",
	},
	{
		Code: CodeSMIDryRunSkipped, Severity: Info, Title: "Dry-run policy not written",
		Meaning: "The policy is annotated istio.io/dry-run, so Istio only logs its decisions and never enforces " +
			"them. SMI has no dry run; writing it would enforce it, so it was left out.",
		Remedy: "Nothing, unless the policy was meant to be enforced: then remove the annotation.",
	},
	{
		Code: CodeSMIAuditSkipped, Severity: Info, Title: "AUDIT policy not written",
		Meaning: "AUDIT policies only mark requests for logging and never change a decision. SMI has no audit; " +
			"nothing that is enforced was lost.",
		Remedy: "Configure request logging in the destination mesh if you relied on audit records.",
	},
	{
		Code: CodeSMITargetNotResolved, Severity: Error, Title: "Policy target not resolved to workloads",
		Meaning: "The policy attaches through targetRefs the writer cannot resolve to workloads (a GatewayClass, a " +
			"ServiceEntry, or a Service or Gateway missing from the input). An ALLOW policy was left out, which " +
			"denies what it allowed; a DENY policy was applied to every workload in its scope instead, which is " +
			"narrower.",
		Remedy: "Include the referenced objects in the input, or select workloads by label.",
	},
	{
		Code: CodeSMINoWorkload, Severity: Warning, Title: "Policy applies to no known workload",
		Meaning: "No workload in the input matches the policy's target, so there is no service account to write a " +
			"TrafficTarget for.",
		Remedy: "Include the workloads' manifests in the input.",
	},
	{
		Code: CodeSMISharedServiceAccount, Severity: Error, Title: "Destination service account is shared",
		Meaning: "SMI names a destination by service account, so a TrafficTarget applies to every pod running as " +
			"it. The service account also runs workloads that this policy does not select and that have their own " +
			"ALLOW policies; writing the policy would let its sources reach those workloads too. It was not " +
			"written for this service account, which denies what it allowed.",
		Remedy: "Give each workload its own service account.",
	},
	{
		Code: CodeSMISourcesExpanded, Severity: Warning, Title: "Sources expanded to known service accounts",
		Meaning: "SMI sources are individual service accounts. A namespace, a wildcard, a negation or a rule with " +
			"no source was expanded to the service accounts the input knows of. The list is a snapshot: service " +
			"accounts created later are not allowed until the translation runs again.",
		Remedy: "Re-run the translation when service accounts change (the controller does this), or include " +
			"every ServiceAccount in the input.",
	},
	{
		Code: CodeSMIUnauthenticated, Severity: Error, Title: "Unauthenticated callers cannot be allowed",
		Meaning: "Istio allows this rule to any caller, including plain-text callers without a workload identity, " +
			"and the destination does not require mutual TLS. SMI can only allow service accounts, so those " +
			"callers are denied.",
		Remedy: "Require mutual TLS (PeerAuthentication STRICT) so that every caller has an identity, or accept " +
			"the narrower policy.",
	},
	{
		Code: CodeSMISourceNotExpressible, Severity: Error, Title: "Source condition not expressible",
		Meaning: "The source depends on something SMI cannot check: a JWT (requestPrincipals), an IP block, or a " +
			"principal that is not a service account. Allowing its service accounts without that condition " +
			"would widen access, so the source was left out of the allow-list.",
		Remedy: "Enforce the condition in the application or in an ingress, or accept the narrower policy.",
	},
	{
		Code: CodeSMIOperationNotExpressible, Severity: Error, Title: "Operation not expressible",
		Meaning: "The operation uses a field HTTPRouteGroup cannot express (hosts, notHosts, notPaths, a method " +
			"outside SMI's list, or a path pattern that cannot be rendered). Allowing it without that field " +
			"would widen access, so the operation was left out.",
		Remedy: "Rewrite the rule with paths and methods only, or accept the narrower policy.",
	},
	{
		Code: CodeSMIConditionNotExpressible, Severity: Error, Title: "Condition not expressible",
		Meaning: "A `when` condition uses a key or a negation SMI cannot express (for example source.ip, " +
			"request.auth.claims, or notValues on a header). The rule cannot be narrowed to it, so the whole rule " +
			"was left out.",
		Remedy: "Enforce the condition elsewhere, or accept the narrower policy.",
	},
	{
		Code: CodeSMIPortNotExpressible, Severity: Error, Title: "Port restriction not expressible for HTTP",
		Meaning: "The rule allows HTTP traffic on some ports only. With access v1alpha3 a TrafficTarget's rules " +
			"are ORed and HTTPRouteGroup has no port, so HTTP traffic cannot be limited to those ports (and OSM " +
			"applies TCPRoute rules only to ports it treats as TCP). The HTTP part was left out for those ports.",
		Remedy: "Use --mesh traefik-mesh (its TrafficTarget has a destination port), split the workload's ports " +
			"across service accounts, or accept the narrower policy.",
	},
	{
		Code: CodeSMIDenyFolded, Severity: Warning, Title: "DENY folded into the allow-list",
		Meaning: "SMI has no deny. The DENY policy only denies service accounts, ports or methods, whose " +
			"complement is finite, so it was written by removing what it denies from every TrafficTarget of the " +
			"same destination. Ports are those the workloads declare, methods are SMI's list; both are a snapshot.",
		Remedy: "Re-run the translation when workloads or service accounts change.",
	},
	{
		Code: CodeSMIDenyNarrowed, Severity: Error, Title: "Allow dropped because of a DENY",
		Meaning: "SMI has no deny, and what the DENY policy denies (paths, headers, or conditions SMI cannot " +
			"check) has no finite complement. The allowed requests it overlaps were left out instead, which is " +
			"narrower than Istio.",
		Remedy: "Replace the DENY by a narrower ALLOW policy, or accept the narrower policy.",
	},
	{
		Code: CodeSMICustomAsDeny, Severity: Error, Title: "External authorization treated as a deny",
		Meaning: "A CUSTOM policy sends matching requests to an external authorizer that may deny any of them; " +
			"SMI cannot call it. Its rules were treated as a DENY, so what it covers is not allowed.",
		Remedy: "Keep the external authorizer in the application path, or accept the narrower policy.",
	},
	{
		Code: CodeSMIDefaultAllow, Severity: Info, Title: "Istio's default allow written out",
		Meaning: "No ALLOW policy selects these workloads, so Istio lets every caller in. SMI denies by default when " +
			"it enforces access, so an explicit TrafficTarget from every known service account was written, minus " +
			"what DENY and CUSTOM policies take away (MB3014, MB3015). The message says how many service accounts " +
			"it names, or that nothing was left to write.",
		Remedy: "Nothing; see MB3008 and MB3009 for its limits.",
	},
	{
		Code: CodeSMIEnforcementMode, Severity: Info, Title: "SMI access is enforced only in the consumer's strict mode",
		Meaning: "OSM enforces TrafficTargets only with permissive traffic policy mode off, and Traefik Mesh only " +
			"with ACL mode on. Otherwise every request is allowed and the TrafficTargets have no effect.",
		Remedy: "Set enablePermissiveTrafficPolicy: false (OSM) or acl: true (Traefik Mesh).",
	},
	{
		Code: CodeSMITrustDomain, Severity: Warning, Title: "Principal in another trust domain",
		Meaning: "A principal names a trust domain other than the mesh's (--trust-domain). SMI service accounts " +
			"carry no trust domain, and reading it as the same-named service account of this mesh would widen " +
			"access wherever Istio has no such trust domain alias. It matches nothing and was left out.",
		Remedy: "If the trust domain is an alias of the mesh's, write the principal in the mesh's trust domain, " +
			"or pass that trust domain with --trust-domain.",
	},
	{
		Code: CodeSMIRouteFeature, Severity: Warning, Title: "Routing feature not expressible in SMI",
		Meaning: "TrafficSplit only chooses backends by weight. Rewrites, header edits, mirrors, retries, timeouts, " +
			"delays, CORS and fields the reader kept no model for have no SMI equivalent and were dropped; the " +
			"requests still reach the rule's destinations. A rule that answers without forwarding (a redirect, a " +
			"direct response, delegation, an abort fault) cannot be written at all: where its requests go instead " +
			"is reported (MB3033, MB3034).",
		Remedy: "Use --to gatewayapi, or configure the behaviour in the destination mesh by hand.",
	},
	{
		Code: CodeSMIRouteNotWritten, Severity: Warning, Title: "Route not written as a TrafficSplit",
		Meaning: "A TrafficSplit splits one Service in its own namespace between backend Services. This route or " +
			"rule does not have that shape (gateway-only, several hosts, a host that is not a known Service, a " +
			"backend that is not a Service of the root's namespace with the root's ports, or, on Traefik Mesh, the " +
			"root Service among other backends), so it was not written. Where its mesh requests go instead is " +
			"reported (MB3033, MB3034).",
		Remedy: "Use --to gatewayapi, or write the split by hand.",
	},
	{
		Code: CodeSMISubsetService, Severity: Info, Title: "Service generated for a subset",
		Meaning: "TrafficSplit backends are Services, so a Service selecting the DestinationRule subset's pods was " +
			"generated (annotated meshbridge.io/generated).",
		Remedy: "Nothing; apply the generated Service with the TrafficSplit.",
	},
	{
		Code: CodeSMIRouteMatch, Severity: Warning, Title: "Route match not expressible in SMI",
		Meaning: "TrafficSplit can only be limited to requests matching HTTPRouteGroup headers (split v1alpha3 and " +
			"later); requests that do not match reach the root Service unsplit. A rule with path, method, query, " +
			"authority, port or source matches, or with any match where the consumer's split version has none, " +
			"was not written, nor were TCP and TLS routes a TrafficSplit cannot tell apart; where their requests " +
			"go instead is reported (MB3033, MB3034). When a VirtualService gets several TrafficSplits, the " +
			"message says why the consumer keeps Istio's order between them.",
		Remedy: "Use --to gatewayapi for match-based routing.",
	},
	{
		Code: CodeSMIAllowNothing, Severity: Info, Title: "Allow-nothing policy",
		Meaning: "An ALLOW policy without rules denies every request to the workloads it selects. SMI denies by " +
			"default, so no TrafficTarget is written for it; that is exact when the consumer enforces access.",
		Remedy: "Nothing.",
	},
	{
		Code: CodeSMINegationExpanded, Severity: Warning, Title: "Negation expanded over a finite set",
		Meaning: "notPorts or notMethods was written as the ports the workloads declare, or the methods SMI knows, " +
			"minus the negated ones. Ports added later and non-standard methods are not allowed.",
		Remedy: "Re-run the translation when the workloads change.",
	},
	{
		Code: CodeSMIDefaultAllowNarrowed, Severity: Error, Title: "Default allow not written for a shared service account",
		Meaning: "These workloads have no ALLOW policy, so Istio lets every caller in, but they share their service " +
			"account with workloads that do. A TrafficTarget applies to the whole service account, so only what " +
			"the other workloads' policies allow was written; the rest is denied.",
		Remedy: "Give each workload its own service account.",
	},
	{
		Code: CodeSMIPlainTextPorts, Severity: Warning, Title: "No peer identity on plain-text ports",
		Meaning: "A PeerAuthentication sets mutual TLS to DISABLE on some ports of the destination's workloads. " +
			"Istio sees no peer identity on those ports, so sources that need one (principals, namespaces, " +
			"serviceAccounts, trustDomains, source.* conditions) never match there. SMI callers always have a " +
			"service account, so the rule was written only for the ports the workloads declare with mutual TLS, " +
			"or not at all. Ports the workloads do not declare are not allowed.",
		Remedy: "Nothing, if the ports are meant to be plain text. Otherwise enable mutual TLS on them and run " +
			"the translation again.",
	},
	{
		Code: CodeSMIDeclaredPortsAssumed, Severity: Warning, Title: "HTTP rule assumes only declared ports are served",
		Meaning: "The rule allows HTTP requests on some ports only, and those ports are every port the " +
			"workloads declare. With access v1alpha3 an HTTPRouteGroup has no port, so the HTTP part was written " +
			"for every port: if a workload also serves HTTP on a port it does not declare, requests there are " +
			"allowed, which Istio denies. TCPRoutes keep the exact port list.",
		Remedy: "Declare every port the containers listen on, or use --mesh traefik-mesh (its TrafficTarget has a " +
			"destination port).",
	},
	{
		Code: CodeSMIPortReading, Severity: Warning, Title: "Consumer may not read ports as container ports",
		Meaning: "Istio's ports are the workload (container) ports a connection reaches, and the writer writes " +
			"them so: OSM matches TCPRoute ports against the destination port of the inbound connection. The SMI " +
			"specification does not say whether TCPRoute ports are container or Service ports, so for --mesh smi a " +
			"port that is also a Service port forwarding elsewhere would allow that other port under a Service " +
			"reading; such ports were left out. Traefik Mesh matches a TrafficTarget's destination port against " +
			"its Services' numeric targetPorts and rejects the TrafficTarget for a Service that has none: a named " +
			"targetPort or a port no Service forwards to is not allowed there.",
		Remedy: "Use --mesh osm for container-port semantics, give Services numeric targetPorts equal to the " +
			"container ports, or accept the narrower policy.",
	},
	{
		Code: CodeSMIWaypointAtWorkloads, Severity: Warning, Title: "Waypoint policy enforced at the workloads",
		Meaning: "The policy attaches to a Service through targetRefs, so Istio enforces it at the Service's " +
			"waypoint, on traffic that goes through the waypoint. SMI has no waypoint: the policy was applied to " +
			"the workloads behind the Service, on all their traffic. Callers that reach the workloads without the " +
			"waypoint, which Istio does not check against it, are denied what an ALLOW policy does not allow " +
			"(Istio lets them in when no other ALLOW policy selects the workloads), and what a DENY policy denies.",
		Remedy: "Nothing, if all traffic to the workloads goes through the waypoint; otherwise accept the " +
			"narrower policy or select the workloads with a policy of their own.",
	},
	{
		Code: CodeSMIWaypointBesideOwn, Severity: Error, Title: "Waypoint policy not written beside the workloads' own",
		Meaning: "An ALLOW policy attaches to a Service through targetRefs (a waypoint), and the workloads behind " +
			"the Service also have ALLOW policies that select them directly. SMI has no waypoint, and a " +
			"TrafficTarget adds to what the others allow: enforcing the waypoint policy at the workloads would " +
			"let its sources reach them without the waypoint, which their own policies deny. It was not written " +
			"for them, which denies what it allowed through the waypoint.",
		Remedy: "Allow the waypoint policy's sources in the workloads' own policies, or accept the narrower policy.",
	},
	{
		Code: CodeSMIRouteScope, Severity: Error, Title: "Route applies to some clients only",
		Meaning: "A TrafficSplit applies to every client of its root Service. The VirtualService applies only to " +
			"clients in some namespaces (exportTo lists namespaces, or \".\"), so writing it would route clients " +
			"Istio does not route by it. It was not written: its clients reach the Service as every other client " +
			"does, unsplit or through the TrafficSplits of the VirtualService that applies to every client, which " +
			"the message names.",
		Remedy: "Export the VirtualService to \"*\" if its rules may apply to every client, or use --to gatewayapi " +
			"(consumer routes apply per client namespace).",
	},
	{
		Code: CodeSMIRouteOrder, Severity: Error, Title: "Rule order cannot be kept",
		Meaning: "Istio uses the first rule that matches a request. A rule that could not be written, or that routes " +
			"to the root Service itself (which needs no TrafficSplit), matches requests a TrafficSplit written for a " +
			"later rule would take; or two TrafficSplits may match the same request and the consumer would choose " +
			"another than Istio's first (Traefik Mesh prefers the split with more conditions; other consumers define " +
			"no order). Writing the route would send those requests elsewhere, so no TrafficSplit was written for " +
			"the VirtualService: its clients reach the root Service unsplit.",
		Remedy: "Use --to gatewayapi, or rewrite the VirtualService so that rules SMI cannot hold do not share " +
			"requests with later ones.",
	},
	{
		Code: CodeSMIRequestsElsewhere, Severity: Error, Title: "Requests reach the root Service unsplit",
		Meaning: "Some requests of the VirtualService reach the root Service unsplit, not where Istio sends them: " +
			"requests of rules that could not be written (their matches, destinations or action have no SMI form) " +
			"and that no TrafficSplit takes to the same destination, requests no rule matches (Istio answers 404), " +
			"or TCP and TLS connections whose routes could not be written. The message lists them.",
		Remedy: "Use --to gatewayapi, or accept that these requests reach the root Service.",
	},
	{
		Code: CodeSMIRouteConflict, Severity: Error, Title: "Several VirtualServices for one Service",
		Meaning: "Several VirtualServices apply to every client of the same Service. Istio applies one VirtualService " +
			"per host to a client (the oldest), while a consumer would apply the TrafficSplits of all of them in an " +
			"order of its own. None was written for the Service: its clients reach it unsplit.",
		Remedy: "Merge the VirtualServices into one.",
	},
	{
		Code: CodeSMIRouteHidden, Severity: Info, Title: "VirtualService exported nowhere",
		Meaning: "exportTo \"~\" hides the VirtualService from every namespace, so it routes no client; nothing was " +
			"written for it.",
		Remedy: "Nothing to do, unless the rules are meant to apply somewhere.",
	},
}
