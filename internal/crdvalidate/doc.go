// Package crdvalidate checks objects against real CustomResourceDefinitions offline, the way a
// Kubernetes API server with those CRDs installed would on create, so that tests (and the verify
// command) can prove an emitted object is "valid for the real consumer" without a cluster.
//
// Load reads CRD YAML (files or directories, multi-document, other kinds skipped) into a
// Validator; Validate checks one object and returns a field.ErrorList, empty when the server would
// store the object exactly as written:
//
//	v, err := crdvalidate.Load("../shared/crds/smi/osm-v1.2.4")
//	...
//	if errs := v.Validate(obj); len(errs) > 0 { t.Errorf("%s: %v", obj.GetName(), errs.ToAggregate()) }
//
// For one object, Validate
//   - finds the CRD for its group and kind, and refuses a version the CRD does not serve: that is
//     how a test learns that a consumer would reject the apiVersion (OSM serves TrafficSplit
//     v1alpha2 only, for example);
//   - reports every field the schema does not know, including unknown metadata fields, as an
//     error. An API server would silently prune them, so the consumer would never see them;
//   - applies the schema's defaults, then runs the OpenAPI validation, metadata validation
//     (name, namespace for namespaced kinds, labels, annotations), x-kubernetes-list-type
//     map/set uniqueness and, when none of those found a structural problem, the CEL
//     x-kubernetes-validations rules, with the API server's cost limits.
//
// Validate never changes its argument: it works on a JSON round-trip copy, which also turns
// whole numbers into int64 as an API server's decoder does (CEL rejects float64 where the
// schema says integer, and unstructured values built in Go may hold int32).
//
// CRDs are accepted as apiextensions.k8s.io/v1, or v1beta1 converted to v1 with the v1beta1
// defaults. Every version's schema must be structural; a non-structural v1beta1 CRD (such as
// those shipped in smi-sdk-go v0.5.0) is refused by Load with an error that says so, since no
// Kubernetes 1.22+ server can install it either. Unknown fields are reported even when a v1beta1
// CRD preserves them, because the consumer's controller decodes into typed structs and drops them
// just the same; only x-kubernetes-preserve-unknown-fields in the schema itself keeps a subtree
// open.
//
// New builds a Validator from CRDs already decoded (ReadCRDs reads them), for tests that need to
// adjust a CRD first. ModuleDir and SharedCRDs locate CRDs for tests: those a Go module ships
// (sigs.k8s.io/gateway-api's config/crd/standard) and the consumers' copies kept outside the
// repository in ../shared/crds; tests skip when either is unavailable.
//
// Only CRD kinds are known: a core object (a Service, say) is reported as "no CRD loaded"; callers
// skip or check those otherwise.
//
// Not checked: admission webhooks and ValidatingAdmissionPolicies, status and scale
// subresources, update-only rules (transition rules on oldSelf), and names or references that
// need other objects.
package crdvalidate
