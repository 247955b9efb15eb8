package model

// Codes found by the Linkerd writer.
const (
	CodeLinkerdConditionDropped    Code = "MB5001"
	CodeLinkerdDenyNarrowed        Code = "MB5002"
	CodeLinkerdDenyFolded          Code = "MB5003"
	CodeLinkerdCustomNotTranslated Code = "MB5004"
	CodeLinkerdAuditNotTranslated  Code = "MB5005"
	CodeLinkerdDryRunSkipped       Code = "MB5006"
	CodeLinkerdTargetRefs          Code = "MB5007"
	CodeLinkerdDefaultPolicyPorts  Code = "MB5008"
	CodeLinkerdMTLSDisable         Code = "MB5009"
	CodeLinkerdRawPathMatch        Code = "MB5010"
	CodeLinkerdRouteOverlap        Code = "MB5011"
	CodeLinkerdProbesAuthorized    Code = "MB5012"
	CodeLinkerdMethodsEnumerated   Code = "MB5013"
	CodeLinkerdTrustDomain         Code = "MB5014"
	CodeLinkerdIdentityWithoutMTLS Code = "MB5015"
	CodeLinkerdNoDeclaredPorts     Code = "MB5016"
	CodeLinkerdTargetRefsDenied    Code = "MB5017"
)

var linkerdCatalog = []CatalogEntry{
	{
		Code: CodeLinkerdConditionDropped, Severity: Error, Title: "Access condition not expressible in Linkerd",
		Meaning: "An ALLOW rule (or one of its sources or operations) uses a condition Linkerd policy cannot " +
			"check: a JWT (requestPrincipals, request.auth.*), a negation Linkerd cannot fold (notPrincipals, " +
			"notNamespaces, notPaths, notHosts, notValues), remoteIpBlocks, hosts, a header value, connection.sni, " +
			"destination.ip, or an identity or path pattern Linkerd cannot match. Translating it without the " +
			"condition would admit more than Istio does, so the rule or that part of it was left out: access is " +
			"narrower than in Istio.",
		Remedy: "Authorize the lost clients by hand in Linkerd terms, or enforce the condition in the application.",
	},
	{
		Code: CodeLinkerdDenyNarrowed, Severity: Error, Title: "DENY policy narrowed access",
		Meaning: "Linkerd has no DENY. A DENY (or CUSTOM) rule may match requests that an allowed rule admits, " +
			"and the difference could not be written as an allow-list, so the allowed rule was left out (for a " +
			"workload without ALLOW policies, the port now admits nothing): access is narrower than in Istio.",
		Remedy: "Rewrite the policy as ALLOW rules that list what stays allowed, then translate again.",
	},
	{
		Code: CodeLinkerdDenyFolded, Severity: Warning, Title: "DENY folded into allowed methods",
		Meaning: "A DENY rule that only names HTTP methods was folded into the allowed rules it overlaps, which " +
			"now list the standard methods it leaves (GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, " +
			"PATCH). Requests with other methods, which Istio allowed, are denied.",
		Remedy: "Nothing, unless clients use non-standard HTTP methods; then authorize them by hand.",
	},
	{
		Code: CodeLinkerdCustomNotTranslated, Severity: Error, Title: "CUSTOM policy not translated",
		Meaning: "Linkerd policy cannot call an external authorizer. Requests the CUSTOM policy's rules match " +
			"were treated as denied, as by a DENY policy, so access is narrower than in Istio.",
		Remedy: "Put the external authorization in the application or an ingress, and authorize the callers it " +
			"admits by hand.",
	},
	{
		Code: CodeLinkerdAuditNotTranslated, Severity: Warning, Title: "AUDIT policy not translated",
		Meaning: "AUDIT policies only mark requests for logging; they never change a decision. Linkerd can audit " +
			"whole Servers only (accessPolicy: audit), so nothing was written for it.",
		Remedy: "Use Linkerd's metrics and proxy logs for auditing.",
	},
	{
		Code: CodeLinkerdDryRunSkipped, Severity: Info, Title: "Dry-run policy not translated",
		Meaning: "The policy has istio.io/dry-run set: Istio evaluates and logs it but never enforces it, so " +
			"nothing was written for it and access is unchanged.",
		Remedy: "Nothing. Remove the annotation and translate again to enforce it.",
	},
	{
		Code: CodeLinkerdTargetRefs, Severity: Error, Title: "Policy attached by targetRefs not translated",
		Meaning: "The policy applies through targetRefs to a GatewayClass, a ServiceEntry, or a Gateway or Service " +
			"whose pods the input does not show, so the writer cannot tell which pods and ports it guards. Nothing " +
			"was written for it: those proxies keep Linkerd's default inbound policy, and access may be wider than " +
			"in Istio.",
		Remedy: "Add the gateway's or Service's workloads to the input and translate again (their ports are then " +
			"denied, see MB5017), or write their Linkerd policy by hand.",
	},
	{
		Code: CodeLinkerdDefaultPolicyPorts, Severity: Warning, Title: "Workloads assumed to listen only on declared ports",
		Meaning: "Istio restricts every port of these workloads. Linkerd policy is written per port, so meshbridge " +
			"assumes a workload that declares container ports listens only on those (and on the ports its Services " +
			"target), and wrote Servers for them alone. A port the pods listen on without declaring it, or that a " +
			"rule names but no pod declares, keeps Linkerd's default inbound policy (all-unauthenticated unless the " +
			"cluster says otherwise): wider than Istio.",
		Remedy: "Declare every port the containers listen on, or annotate the namespace or workload with " +
			"config.linkerd.io/default-inbound-policy: deny (all-authenticated where the message says so, for STRICT " +
			"mTLS alone). The proxy reads the annotation when a pod starts, so it applies only to pods created " +
			"afterwards: restart the workloads.",
	},
	{
		Code: CodeLinkerdMTLSDisable, Severity: Warning, Title: "mTLS DISABLE not translated",
		Meaning: "Linkerd always uses mutual TLS between meshed pods; it cannot turn it off for a workload. " +
			"Clients keep reaching the workload, now over mTLS.",
		Remedy: "Nothing, unless a client depended on plain text to the workload; then skip it from the mesh " +
			"with config.linkerd.io/skip-inbound-ports.",
	},
	{
		Code: CodeLinkerdRawPathMatch, Severity: Warning, Title: "Path pattern matched on raw paths",
		Meaning: "Istio matches paths after normalizing them (percent-decoding, resolving . and .. segments, " +
			"backslashes); Linkerd matches the raw path. The prefix or suffix pattern was written as a regular " +
			"expression that refuses percent signs, backslashes and . or .. segments in its wildcard part, so " +
			"that no raw path can slip past it; requests with such paths, which Istio may have allowed, are denied.",
		Remedy: "Nothing for well-formed clients. Otherwise add routes for the encoded paths by hand.",
	},
	{
		Code: CodeLinkerdRouteOverlap, Severity: Error, Title: "Overlapping inbound routes may narrow access",
		Meaning: "Two inbound routes on one Server can match the same request, and Linkerd sends it to only one " +
			"of them (the longer path match, then the one with a method, then the oldest route), whose " +
			"authorizations alone decide. Clients the other route admits may be denied requests that Istio " +
			"allowed them.",
		Remedy: "Make the rules' paths or methods disjoint, or authorize the clients on both routes by hand.",
	},
	{
		Code: CodeLinkerdProbesAuthorized, Severity: Warning, Title: "Kubelet probes authorized explicitly",
		Meaning: "Inbound routes on a Server turn off Linkerd's implicit authorization of kubelet probes, so a " +
			"route admitting GET on the probe paths from any network, without mTLS, was added. Istio sent probes " +
			"through the sidecar agent's port instead, where its policies did not apply either.",
		Remedy: "Nothing, unless the probe paths serve more than health; then narrow the route's " +
			"NetworkAuthentication to the nodes' addresses.",
	},
	{
		Code: CodeLinkerdMethodsEnumerated, Severity: Warning, Title: "Methods limited to the standard set",
		Meaning: "A method pattern or notMethods was written as the list of standard HTTP methods it matches " +
			"(GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH): Linkerd routes match one method " +
			"each, from that list. Requests with other methods, which Istio allowed, are denied.",
		Remedy: "Nothing, unless clients use non-standard HTTP methods.",
	},
	{
		Code: CodeLinkerdTrustDomain, Severity: Warning, Title: "Identity pattern limited to one trust domain",
		Meaning: "The principal pattern (or trustDomains condition) admits any identity of several trust domains; " +
			"Linkerd identity references and patterns are written for the mesh's own trust domain, so identities " +
			"of the other trust domains are not admitted.",
		Remedy: "Nothing for a single-cluster mesh. Otherwise list the other trust domains' identities by hand.",
	},
	{
		Code: CodeLinkerdIdentityWithoutMTLS, Severity: Info, Title: "Identity rule on a port without mTLS",
		Meaning: "PeerAuthentication disables mTLS on the port, so Istio sees no client identity there and a rule " +
			"that requires one never matches. Nothing was written for it; access is unchanged.",
		Remedy: "Nothing.",
	},
	{
		Code: CodeLinkerdNoDeclaredPorts, Severity: Error, Title: "Access not enforceable: the workload declares no ports",
		Meaning: "Istio restricts the workload's ports, but its pod spec declares no container port, so the writer " +
			"cannot tell which ports to write Linkerd Servers for (only the ports its Services target got one). " +
			"Every other port keeps Linkerd's default inbound policy: access is wider than in Istio.",
		Remedy: "Declare the ports the containers listen on and translate again, or annotate the workload's pod " +
			"template with config.linkerd.io/default-inbound-policy: deny (every port then denies what no Server " +
			"admits; the proxy reads it when a pod starts, so restart the workload).",
	},
	{
		Code: CodeLinkerdTargetRefsDenied, Severity: Error, Title: "Policy attached by targetRefs written as deny",
		Meaning: "The policy applies through targetRefs to a Gateway (its pods carry the gateway-name label) or to a " +
			"Service served by a waypoint. Linkerd has no such attachment, and the policy's rules were not " +
			"translated for the pods behind it; so that access is never wider than Istio's, their declared ports " +
			"got Servers that admit no request: access is narrower than in Istio.",
		Remedy: "Rewrite the policy with a selector for the gateway's or Service's pods and translate again, or " +
			"authorize their clients by hand.",
	},
}
