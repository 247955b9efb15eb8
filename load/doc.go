// Package load turns the files a user gives the CLI into an *inventory.Inventory: the typed
// Istio and Kubernetes objects a translation reads, each with the file, document and line it
// came from.
//
// # What is read
//
// Load takes files, folders (read recursively: .yaml, .yml and .json files, in lexical order
// so that results never depend on the file system) and "-" for standard input. Decode reads
// one file's bytes; Load calls it for each file, and the fuzz target calls it directly.
// A file holds YAML documents separated by "---" lines, as kubectl reads them, and a document
// may be a List (kind List, or a typed list such as ServiceList) whose items are read in turn.
// Documents holding only comments are skipped.
//
// Each object is decoded by its apiVersion and kind, from the table in kinds.go, which is the
// one place that says what the loader reads: the Istio networking kinds (VirtualService,
// DestinationRule, Gateway at v1alpha3, v1beta1 and v1) and security kinds
// (AuthorizationPolicy, PeerAuthentication at v1beta1 and v1), stored as the Istio v1 Go types
// whatever version was written, with TypeMeta.APIVersion kept as written; and the core and
// apps objects that say which workloads and identities exist (Service, ServiceAccount,
// Namespace, Pod, Deployment, StatefulSet, DaemonSet). Namespaced objects without a namespace
// get Options.Namespace ("default"), as kubectl gives them its current namespace.
//
// # Findings and errors
//
// The loader keeps the project's contract that nothing is dropped in silence. Its findings
// (stage "load") are:
//
//   - model.CodeIgnoredKind: an object of any other kind (ConfigMap, ServiceEntry,
//     RequestAuthentication, rbac.istio.io, Gateway API, CRDs, ...) is skipped and reported.
//   - model.CodeUnknownField: a field outside the schema is reported with its path and
//     skipped. Istio specs are decoded with protojson, which accepts proto names (not_paths)
//     and JSON names (notPaths) alike; strictly first, and only when that fails is the spec
//     walked against its protobuf descriptor to name every unknown field (protojson names
//     only the first, by position). Kubernetes objects and Istio metadata are decoded with the
//     Kubernetes JSON machinery (sigs.k8s.io/json), case-sensitively, as an API server would.
//   - model.CodeDuplicateObject: the same kind, namespace and name twice, possibly at two
//     apiVersions or in two files. Both places are named and the later definition wins, as
//     with kubectl apply.
//
// Bad input stops loading with an *Error that names the file, document, line, object and
// field, on one line:
//
//	input.yaml:12 (document 3) VirtualService default/reviews: spec.http[0].route[0].weight: invalid value "abc": want an integer
//
// Bad input is: a file that cannot be read, malformed or truncated YAML (including a mapping
// whose keys collide in JSON, such as 1 and "1"), a document that is not a mapping, a missing
// apiVersion or kind, a version the kind is not served at, a value of the wrong type, and an
// enum value with no name. An unknown enum value is never read as the enum's default, since
// for an AuthorizationPolicy the default action is ALLOW. Errors name fields even where
// decoders do not: protojson gives only a position and encoding/json no list indexes (or
// nothing at all when a type's own UnmarshalJSON fails), so the loader maps positions and
// types back to paths on the JSON and finds their lines in the YAML.
//
// # Cost
//
// The happy path parses each document's YAML once (go-yaml v2, as sigs.k8s.io/yaml does),
// writes the parsed tree straight to JSON (yamljson.go: the same bytes as
// sigs.k8s.io/yaml.YAMLToJSONStrict, noting apiVersion, kind and metadata on the way) and
// decodes that JSON once into its type. The enum check walks only the parts of a schema that
// can hold an enum. The walks that name fields and lines run only when a document has a
// problem, so loading grows linearly with the input. docs/performance.md has the figures.
package load
