package model

// Codes found while reading Istio objects into the model.
const (
	CodeFieldNotTranslated  Code = "MB2001"
	CodeHostNotResolved     Code = "MB2002"
	CodeSubsetNotFound      Code = "MB2003"
	CodeSelectorSelectsNone Code = "MB2004"
	CodeGatewayRouteSkipped Code = "MB2005"
)

var istioCatalog = []CatalogEntry{
	{
		Code: CodeFieldNotTranslated, Severity: Warning, Title: "Field not translated",
		Meaning: "The field has no place in meshbridge's model yet, so no writer sees it. The rest of the object " +
			"was translated without it.",
		Remedy: "Review the translated objects for the behaviour this field gave, and add it by hand if needed.",
	},
	{
		Code: CodeHostNotResolved, Severity: Warning, Title: "Host not resolved to a Service",
		Meaning: "A host does not name a Kubernetes Service in the input (it may be external, a ServiceEntry, or " +
			"a Service the input leaves out). Objects that need the Service cannot be written for it.",
		Remedy: "Include the Service's manifest in the input, or translate the external host by hand.",
	},
	{
		Code: CodeSubsetNotFound, Severity: Error, Title: "Subset not found",
		Meaning: "A destination names a subset that no DestinationRule for its host defines. Istio rejects such " +
			"traffic (no healthy upstream); the route was not written with that destination.",
		Remedy: "Add the DestinationRule to the input, or fix the subset name.",
	},
	{
		Code: CodeSelectorSelectsNone, Severity: Warning, Title: "Selector matches no workload",
		Meaning: "The selector matches no Deployment, StatefulSet, DaemonSet or Pod in the input, so the service " +
			"accounts and ports that targets need are unknown. Nothing was written for it.",
		Remedy: "Include the workloads' manifests in the input.",
	},
	{
		Code: CodeGatewayRouteSkipped, Severity: Warning, Title: "Gateway-bound routes not translated",
		Meaning: "The VirtualService is bound to Istio Gateways; only its mesh (sidecar) binding was translated.",
		Remedy:  "Translate the ingress routes by hand until gateway translation lands.",
	},
	// Authorization (MB21xx): AuthorizationPolicy, PeerAuthentication, rbac.istio.io/v1alpha1.
	{
		Code: CodeAuthzRefused, Severity: Error, Title: "AuthorizationPolicy refused",
		Meaning: "Istio's validation rejects this AuthorizationPolicy (for example DENY without rules, a provider " +
			"without CUSTOM, an empty source, a bad CIDR, port or path template, an unknown when key). It was " +
			"replaced by its fail-closed form on the same workloads (or on the whole namespace when the target " +
			"itself is invalid): an ALLOW policy allows nothing, a DENY or CUSTOM policy denies everything, and " +
			"an AUDIT policy is dropped. Access is narrower than intended, never wider.",
		Remedy: "Fix the field the message names; the translation then follows the policy exactly.",
	},
	{
		Code: CodeAuthzDenyHTTPOnTCP, Severity: Warning, Title: "DENY rule uses only HTTP attributes",
		Meaning: "On TCP ports Istio ignores the HTTP attributes of a DENY rule, so a rule without ports or " +
			"other TCP attributes denies every TCP connection to the selected workloads. The translation keeps " +
			"that meaning.",
		Remedy: "Add ports to the rule if it should only apply to HTTP ports.",
	},
	{
		Code: CodeAuthzSelectorWithoutLabels, Severity: Info, Title: "Selector without labels",
		Meaning: "The selector has no labels, so the policy applies to every workload in its scope, as if it " +
			"had no selector.",
		Remedy: "Remove the empty selector, or add the labels you meant.",
	},
	{
		Code: CodeAuthzSelectsNone, Severity: Info, Title: "Policy selects no workload in the input",
		Meaning: "No workload in the input matches the policy's target. The policy was translated as written; " +
			"writers that need the workloads' service accounts or ports cannot place it.",
		Remedy: "Include the workloads' manifests in the input, or check the labels.",
	},
	{
		Code: CodeAuthzDryRunIgnored, Severity: Warning, Title: "Dry-run annotation not applied",
		Meaning: "The istio.io/dry-run annotation is not \"true\" or \"false\", or is on a CUSTOM or AUDIT " +
			"policy, where Istio does not support it. The policy was read as enforced.",
		Remedy: "Use \"true\" or \"false\", on ALLOW and DENY policies only.",
	},
	{
		Code: CodeAuthzTargetRefs, Severity: Info, Title: "Policy attached with targetRefs",
		Meaning: "The policy applies through targetRefs, which only gateways and waypoint proxies honour; " +
			"sidecars ignore it. The translation keeps the references.",
		Remedy: "Nothing, if the policy is meant for a gateway or waypoint.",
	},
	{
		Code: CodePeerAuthRefused, Severity: Error, Title: "PeerAuthentication refused",
		Meaning: "Istio's validation rejects this PeerAuthentication (port-level mTLS without a selector, a port " +
			"out of range, a wildcard in the selector). It was read as STRICT for its workloads, the fail-closed " +
			"choice: plain-text callers are refused.",
		Remedy: "Fix the field the message names.",
	},
	{
		Code: CodePeerAuthConflict, Severity: Warning, Title: "Several PeerAuthentications at one level",
		Meaning: "More than one mesh-wide or namespace-wide PeerAuthentication applies to the same scope. Istio " +
			"uses the oldest, which the input does not tell; all of them are in the model.",
		Remedy: "Keep one PeerAuthentication per scope.",
	},
	{
		Code: CodeRbacConfigRefused, Severity: Error, Title: "ClusterRbacConfig or RbacConfig refused",
		Meaning: "Istio 1.4 rejected this RBAC config (it must be named \"default\"; ON_WITH_INCLUSION and " +
			"ON_WITH_EXCLUSION need their inclusion or exclusion), so it never took effect and was ignored.",
		Remedy: "Fix the config; until then Istio enforced no v1alpha1 policy through it.",
	},
	{
		Code: CodeRbacOff, Severity: Info, Title: "v1alpha1 RBAC not enforced",
		Meaning: "No ClusterRbacConfig turns RBAC on (it is absent or OFF, or the object is outside its " +
			"inclusion or inside its exclusion), so Istio enforced none of these ServiceRoles and bindings. " +
			"Nothing was written for them.",
		Remedy: "Include the ClusterRbacConfig in the input if it exists in the cluster.",
	},
	{
		Code: CodeRbacConfigChoice, Severity: Warning, Title: "RBAC config chosen among several",
		Meaning: "Istio 1.4 read the ClusterRbacConfig named default and fell back to the deprecated " +
			"RbacConfig only when there was none; the message names the config used and the ones ignored.",
		Remedy: "Keep a single ClusterRbacConfig named default.",
	},
	{
		Code: CodeServiceRoleRefused, Severity: Error, Title: "ServiceRole refused",
		Meaning: "Istio 1.4's validation rejects this ServiceRole (no rules, a rule without services, methods " +
			"with not_methods, ports with not_ports, a port out of range, an empty constraint, destination.port " +
			"with ports). Bindings to it grant nothing.",
		Remedy: "Fix the field the message names.",
	},
	{
		Code: CodeRoleBindingRefused, Severity: Error, Title: "ServiceRoleBinding refused",
		Meaning: "Istio 1.4's validation rejects this ServiceRoleBinding (no subjects, an empty subject, a bad " +
			"roleRef, \"*\" in names, a property that repeats a subject field). It grants nothing.",
		Remedy: "Fix the field the message names.",
	},
	{
		Code: CodeRbacBindingNotEnforced, Severity: Warning, Title: "ServiceRoleBinding never enforced",
		Meaning: "Pilot 1.4 and 1.5 only enforced bindings through roleRef to a ServiceRole in the binding's " +
			"namespace. This binding uses role or actions, or names a role that does not exist, so it granted " +
			"nothing, and nothing was written for it.",
		Remedy: "Bind through roleRef to an existing ServiceRole if the access was intended.",
	},
	{
		Code: CodeRbacRoleMatchesNoService, Severity: Warning, Title: "ServiceRole rule matches no Service",
		Meaning: "The rule's services match no Service FQDN in the role's namespace. Istio 1.4 compared them " +
			"with the full name (reviews.default.svc.cluster.local), so a short name never matched; the input " +
			"may also lack the Service.",
		Remedy: "Use the Service's FQDN, or include the Service's manifest in the input.",
	},
	{
		Code: CodeRbacConstraintIgnored, Severity: Warning, Title: "ServiceRole constraint ignored",
		Meaning: "Istio 1.4 ignored constraints with an unknown key (its documentation says so), so the rule " +
			"applied without it. The translation keeps that meaning and drops the constraint.",
		Remedy: "Fix the key if the constraint was meant to restrict access.",
	},
	{
		Code: CodeRbacPropertyNeverMatches, Severity: Warning, Title: "Subject property never matched",
		Meaning: "Istio 1.4 matched unknown property keys against metadata that does not exist, so the subject " +
			"never matched anyone. The subject was left out, as it granted nothing.",
		Remedy: "Fix the key if the subject was meant to grant access.",
	},
	{
		Code: CodeRbacRuleRefused, Severity: Error, Title: "v1alpha1 rule or subject not translated",
		Meaning: "Part of a ServiceRole rule or binding subject cannot be written exactly as v1beta1 policy (an " +
			"invalid IP or port value, source.user, a path with template characters, …). The rule or subject " +
			"was left out, so it grants nothing: access is narrower than in Istio 1.4.",
		Remedy: "Rewrite the rule or subject with supported values, or grant the access by hand.",
	},
	{
		Code: CodeRbacSuppressed, Severity: Info, Title: "v1alpha1 policy overridden by v1beta1",
		Meaning: "In Istio 1.4 and 1.5, any AuthorizationPolicy on a workload switched off every v1alpha1 policy " +
			"for it. These workloads have one, so their v1alpha1 policies were not written.",
		Remedy: "Nothing; migrate the remaining v1alpha1 access into AuthorizationPolicies if it was intended.",
	},
	{
		Code: CodeRbacServiceWithoutSelector, Severity: Error, Title: "RBAC service without selector",
		Meaning: "RBAC is on for a Service without a pod selector, so the workloads behind it cannot be targeted " +
			"by labels. Istio denied callers by default; no policy could be written, so the output does not " +
			"protect these workloads.",
		Remedy: "Write an AuthorizationPolicy for the workloads behind the Service by hand.",
	},
	{
		Code: CodeRbacWorkloadsNotSeparable, Severity: Error, Title: "Workloads cannot be targeted apart",
		Meaning: "A v1alpha1 rule applied to some workloads but not to others that no label selector tells " +
			"apart (their labels are the same or nested). The rule was left out for them: access is narrower.",
		Remedy: "Give the workloads distinguishing labels, or write their policies by hand.",
	},
	{
		Code: CodeRbacSharedPort, Severity: Error, Title: "Workload port served by several Services",
		Meaning: "Two Services select the workload and forward to the same port, and RBAC is on for one of them. " +
			"Istio 1.4 applied the policies of only one Service there, which the input does not tell. Nothing " +
			"is allowed on that port.",
		Remedy: "Serve each workload port through one Service, or write the port's policy by hand.",
	},
	{
		Code: CodeRbacTargetPortUnresolved, Severity: Error, Title: "Named target port not found",
		Meaning: "The Service forwards to a named port the workload does not declare, so the v1alpha1 rules " +
			"for that port could not be limited to it and were left out there.",
		Remedy: "Declare the named port in the pod template.",
	},
	{
		Code: CodeRbacPortAmbiguous, Severity: Warning, Title: "destination.port is a Service port",
		Meaning: "The destination.port value is a Service port that forwards to another container port. Istio " +
			"1.4 matched the port the connection reached, the container port, and so does the translation.",
		Remedy: "Check which port was meant; use the container port.",
	},
	{
		Code: CodeRbacPermissive, Severity: Info, Title: "PERMISSIVE RBAC written as dry-run",
		Meaning: "The binding (or the whole mesh, with enforcement_mode PERMISSIVE) was in permissive mode: " +
			"evaluated and logged, never enforced. It was written as a dry-run policy.",
		Remedy: "Nothing; remove the dry-run annotation once the logs look right.",
	},
	{
		Code: CodeRbacRoleOtherNamespace, Severity: Warning, Title: "ServiceRole names a Service elsewhere",
		Meaning: "Istio 1.4 applied a ServiceRole only to Services in its own namespace; this entry names or " +
			"matches a Service in another namespace, which the role never governed.",
		Remedy: "Move the role and its bindings to the Service's namespace.",
	},
	{
		Code: CodeRbacTargetWildcard, Severity: Warning, Title: "Wildcard in RBAC inclusion or exclusion",
		Meaning: "ClusterRbacConfig compared services and namespaces by exact equality, so an entry with \"*\" " +
			"never matched. The translation does the same.",
		Remedy: "List the services or namespaces by name.",
	},
}

// Codes found while reading authorization (MB2100-MB2199): AuthorizationPolicy,
// PeerAuthentication and rbac.istio.io/v1alpha1.
const (
	CodeAuthzRefused               Code = "MB2101"
	CodeAuthzDenyHTTPOnTCP         Code = "MB2102"
	CodeAuthzSelectorWithoutLabels Code = "MB2103"
	CodeAuthzSelectsNone           Code = "MB2104"
	CodeAuthzDryRunIgnored         Code = "MB2105"
	CodeAuthzTargetRefs            Code = "MB2106"
	CodePeerAuthRefused            Code = "MB2110"
	CodePeerAuthConflict           Code = "MB2111"
	CodeRbacConfigRefused          Code = "MB2120"
	CodeRbacOff                    Code = "MB2121"
	CodeRbacConfigChoice           Code = "MB2122"
	CodeServiceRoleRefused         Code = "MB2123"
	CodeRoleBindingRefused         Code = "MB2124"
	CodeRbacBindingNotEnforced     Code = "MB2125"
	CodeRbacRoleMatchesNoService   Code = "MB2126"
	CodeRbacConstraintIgnored      Code = "MB2127"
	CodeRbacPropertyNeverMatches   Code = "MB2128"
	CodeRbacRuleRefused            Code = "MB2129"
	CodeRbacSuppressed             Code = "MB2130"
	CodeRbacServiceWithoutSelector Code = "MB2131"
	CodeRbacWorkloadsNotSeparable  Code = "MB2132"
	CodeRbacSharedPort             Code = "MB2133"
	CodeRbacTargetPortUnresolved   Code = "MB2134"
	CodeRbacPortAmbiguous          Code = "MB2135"
	CodeRbacPermissive             Code = "MB2136"
	CodeRbacRoleOtherNamespace     Code = "MB2137"
	CodeRbacTargetWildcard         Code = "MB2138"
)
