package model

// Codes found while writing Istio objects (translate/istiopolicy).
const (
	CodeIstioNameClash            Code = "MB6001"
	CodeIstioRootNamespaceScope   Code = "MB6002"
	CodeIstioPolicyMatchesNothing Code = "MB6003"
	CodeIstioTrustDomains         Code = "MB6004"
	CodeIstioRoutingNotWritten    Code = "MB6005"
)

var istioPolicyCatalog = []CatalogEntry{
	{
		Code: CodeIstioNameClash, Severity: Info, Title: "Policy renamed",
		Meaning: "Two policies of the model have the same name in one namespace (for example a v1alpha1 binding " +
			"and an AuthorizationPolicy). The later one got a stable hash suffix.",
		Remedy: "Nothing; rename the source objects if you want other names.",
	},
	{
		Code: CodeIstioRootNamespaceScope, Severity: Error, Title: "Root-namespace policy narrowed",
		Meaning: "The policy belongs to the root namespace but was meant for its workloads only. Istio applies " +
			"every policy of the root namespace to the whole mesh, so an ALLOW policy was written to allow " +
			"nothing; other actions were kept, as they only deny or audit more.",
		Remedy: "Move the workloads out of the root namespace, or write their policy by hand.",
	},
	{
		Code: CodeIstioPolicyMatchesNothing, Severity: Info, Title: "Policy without rules not written",
		Meaning: "A DENY, AUDIT or CUSTOM policy without rules matches no request, and Istio refuses such an " +
			"object. Leaving it out changes nothing.",
		Remedy: "Nothing.",
	},
	{
		Code: CodeIstioTrustDomains, Severity: Warning, Title: "trustDomains needs Istio 1.30",
		Meaning: "Sources with trustDomains or notTrustDomains exist only in Istio 1.30 and later, in the extended " +
			"CRD channel. An older API server drops the field (widening an ALLOW) or refuses the object.",
		Remedy: "Install Istio 1.30 or later with the extended CRDs, or rewrite the source with principals.",
	},
	{
		Code: CodeIstioRoutingNotWritten, Severity: Info, Title: "Routing not written by the istio writer",
		Meaning: "The istio writer writes AuthorizationPolicies and PeerAuthentications only. Routing objects " +
			"(VirtualServices, Gateways) stay as they are.",
		Remedy: "Keep applying the routing objects you have.",
	},
}
