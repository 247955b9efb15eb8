package model

// Codes found while loading input files or cluster objects.
const (
	CodeIgnoredKind     Code = "MB1001"
	CodeDuplicateObject Code = "MB1002"
	CodeUnknownField    Code = "MB1003"
)

var loadCatalog = []CatalogEntry{
	{
		Code: CodeIgnoredKind, Severity: Info, Title: "Ignored kind",
		Meaning: "The object's kind is not one meshbridge reads (for example a ConfigMap, or an Istio kind " +
			"such as ServiceEntry that has no equivalent yet). It was skipped; nothing else was affected.",
		Remedy: "Nothing, if the object has no bearing on routing or access. Otherwise translate it by hand.",
	},
	{
		Code: CodeDuplicateObject, Severity: Error, Title: "Object defined twice",
		Meaning: "The same kind, namespace and name appears twice in the input, often because a folder holds " +
			"alternative versions of one config. As with kubectl apply -f, the later definition wins.",
		Remedy: "Keep one definition, or convert the alternatives separately.",
	},
	{
		Code: CodeUnknownField, Severity: Warning, Title: "Unknown field ignored",
		Meaning: "A field is not part of the object's schema (a typo, or a field from another version). " +
			"An API server would prune or reject it; meshbridge ignored it.",
		Remedy: "Fix the spelling or remove the field.",
	},
}
