package crdvalidate

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

// Validator checks objects against the CRDs it was built from. It is safe for concurrent use.
type Validator struct {
	kinds map[schema.GroupKind]*kind
}

// kind is one CRD.
type kind struct {
	crd        string // metadata.name, for messages
	namespaced bool
	versions   map[string]*version
}

// version is one version of a CRD, with its schema compiled.
type version struct {
	served     bool
	structural *structuralschema.Structural
	schema     apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

// New builds a Validator from CRDs. Every version's schema must be structural, as apiextensions
// v1 requires. Two CRDs for the same group and kind are an error.
func New(crds ...*apiextensionsv1.CustomResourceDefinition) (*Validator, error) {
	v := &Validator{kinds: map[schema.GroupKind]*kind{}}
	for _, crd := range crds {
		gk := schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}
		if prev, dup := v.kinds[gk]; dup {
			return nil, fmt.Errorf("CRD %s: kind %s is already defined by CRD %s", crd.Name, gk, prev.crd)
		}
		k := &kind{crd: crd.Name, namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped, versions: map[string]*version{}}
		for _, cv := range crd.Spec.Versions {
			ver, err := compile(cv)
			if err != nil {
				return nil, fmt.Errorf("CRD %s version %s: %w", crd.Name, cv.Name, err)
			}
			k.versions[cv.Name] = ver
		}
		v.kinds[gk] = k
	}
	return v, nil
}

func compile(cv apiextensionsv1.CustomResourceDefinitionVersion) (*version, error) {
	ver := &version{served: cv.Served}
	if cv.Schema == nil || cv.Schema.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("no openAPIV3Schema (apiextensions v1 requires one)")
	}
	internal := &apiextensions.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(cv.Schema, internal, nil); err != nil {
		return nil, fmt.Errorf("converting schema: %w", err)
	}
	s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("schema is not structural: %w", err)
	}
	if errs := structuralschema.ValidateStructural(field.NewPath("openAPIV3Schema"), s); len(errs) > 0 {
		return nil, fmt.Errorf("schema is not structural: %w", errs.ToAggregate())
	}
	s = s.DeepCopy()
	if err := defaulting.PruneDefaults(s); err != nil {
		return nil, fmt.Errorf("pruning defaults: %w", err)
	}
	ver.structural = s
	ver.schema, _, err = apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("building schema validator: %w", err)
	}
	ver.cel = cel.NewValidator(s, true, celconfig.PerCallLimit)
	return ver, nil
}

// Serves reports whether a loaded CRD serves gvk.
func (v *Validator) Serves(gvk schema.GroupVersionKind) bool {
	k, ok := v.kinds[gvk.GroupKind()]
	if !ok {
		return false
	}
	ver, ok := k.versions[gvk.Version]
	return ok && ver.served
}

// Validate checks obj as an API server with the loaded CRDs would on create, and also reports
// every field the server would prune. It does not change obj. An empty list means the object
// would be stored exactly as written (apart from defaults).
func (v *Validator) Validate(obj *unstructured.Unstructured) field.ErrorList {
	gvk := obj.GroupVersionKind()
	k, ok := v.kinds[gvk.GroupKind()]
	if !ok {
		return field.ErrorList{field.NotFound(field.NewPath("kind"),
			fmt.Sprintf("%s (apiVersion %s): no CRD loaded for this kind", gvk.Kind, obj.GetAPIVersion()))}
	}
	ver, ok := k.versions[gvk.Version]
	if !ok || !ver.served {
		return field.ErrorList{field.NotSupported(field.NewPath("apiVersion"), obj.GetAPIVersion(), k.served(gvk.Group))}
	}

	// Work on a JSON round-trip copy: it tolerates Go types unstructured.DeepCopy rejects (int32,
	// typed strings) and gives int64 for whole numbers, which CEL requires.
	u, err := normalize(obj.Object)
	if err != nil {
		return field.ErrorList{field.InternalError(nil, err)}
	}

	var errs field.ErrorList
	errs = append(errs, unknownFields(u, ver.structural)...)
	defaulting.PruneNonNullableNullsWithoutDefaults(u, ver.structural)
	defaulting.Default(u, ver.structural)

	ctx := context.Background()
	errs = append(errs, validateMeta(u, k.namespaced)...)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u, ver.schema)...)
	errs = append(errs, objectmeta.Validate(ctx, nil, u, ver.structural, false)...)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, ver.structural, u)...)
	if blocking(errs) {
		return errs // as the API server does, CEL rules wait until the object is well-formed
	}
	celErrs, _ := ver.cel.Validate(ctx, nil, ver.structural, u, nil, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}

// served lists the served versions of k, for the "version not served" message.
func (k *kind) served(group string) []string {
	var out []string
	for name, ver := range k.versions {
		if ver.served {
			out = append(out, group+"/"+name)
		}
	}
	slices.Sort(out)
	return out
}

// unknownFields prunes u as the API server would and reports what it removed.
func unknownFields(u map[string]any, s *structuralschema.Structural) field.ErrorList {
	opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}
	paths := pruning.PruneWithOptions(u, s, true, opts)
	if err, metaPaths := objectmeta.CoerceWithOptions(nil, u, s, true, objectmeta.CoerceOptions{ReturnUnknownFieldPaths: true}); err != nil {
		return field.ErrorList{err}
	} else {
		paths = append(paths, metaPaths...)
	}
	slices.Sort(paths)
	var errs field.ErrorList
	for _, p := range slices.Compact(paths) {
		errs = append(errs, field.Forbidden(field.NewPath(p), "unknown field: the API server would drop it"))
	}
	return errs
}

func validateMeta(u map[string]any, namespaced bool) field.ErrorList {
	meta, _, err := objectmeta.GetObjectMeta(u, false)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}
	}
	return apivalidation.ValidateObjectMeta(meta, namespaced, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
}

// blocking reports errors after which the API server does not run CEL rules.
func blocking(errs field.ErrorList) bool {
	return slices.ContainsFunc(errs, func(e *field.Error) bool {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong,
			field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true
		}
		return false
	})
}

func normalize(obj map[string]any) (map[string]any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := utiljson.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Kinds lists the loaded kinds with their served versions, as group/version Kind, sorted.
func (v *Validator) Kinds() []string {
	var out []string
	for _, gk := range slices.SortedFunc(maps.Keys(v.kinds), func(a, b schema.GroupKind) int {
		return strings.Compare(a.String(), b.String())
	}) {
		for _, gv := range v.kinds[gk].served(gk.Group) {
			out = append(out, gv+" "+gk.Kind)
		}
	}
	return out
}
