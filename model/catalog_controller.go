package model

// Codes found by the controller (translator run) while reading the cluster and applying output.
const (
	CodeInputUnreadable    Code = "MB7001"
	CodeOutputNotOwned     Code = "MB7002"
	CodeOutputRejected     Code = "MB7003"
	CodeOutputKindNotFound Code = "MB7004"
)

var controllerCatalog = []CatalogEntry{
	{
		Code: CodeInputUnreadable, Severity: Error, Title: "Input object unreadable",
		Meaning: "An object in the cluster does not fit its kind's schema (the API server stored it, but it " +
			"cannot be read as that kind, for example a number out of range). Istio would reject it too. The " +
			"controller applied and pruned nothing in the namespaces whose translation reads it: their last " +
			"good output stays in place.",
		Remedy: "Fix or delete the object; the controller resumes on the next change.",
	},
	{
		Code: CodeOutputNotOwned, Severity: Error, Title: "Output name taken by an object meshbridge does not own",
		Meaning: "The translation wants to write an object whose kind, namespace and name belong to an " +
			"existing object without meshbridge's labels (app.kubernetes.io/managed-by=meshbridge and " +
			"meshbridge.io/owner-namespace). The controller never overwrites or deletes such an object, so the " +
			"translated object was not applied.",
		Remedy: "Delete or rename the existing object, or label it to hand it over to meshbridge.",
	},
	{
		Code: CodeOutputRejected, Severity: Error, Title: "Output rejected by the API server",
		Meaning: "The API server refused to apply a translated object (schema or CEL validation, admission). " +
			"The object in the cluster, if any, was left as it was.",
		Remedy: "Read the message for the server's reason; usually the destination's CRDs are older or newer " +
			"than the --mesh profile expects.",
	},
	{
		Code: CodeOutputKindNotFound, Severity: Error, Title: "Output kind not served",
		Meaning: "The API server does not serve the kind and version of a translated object (its CRD is not " +
			"installed, or is installed at other versions), so it was not applied.",
		Remedy: "Install the destination mesh's CRDs, or pick the --mesh profile that matches the versions it serves.",
	},
}
