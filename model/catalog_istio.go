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
}
