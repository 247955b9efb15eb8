// Package istiopolicy writes the model's access policies back as Istio objects:
// security.istio.io/v1 AuthorizationPolicy and PeerAuthentication.
//
// The model holds Istio v1beta1 semantics, so this writer is exact: every rule, source,
// operation and condition is written as it is, and the evaluator decides the written objects
// as it decided the model. Its main use is migration. rbac.istio.io/v1alpha1 ServiceRoles and
// bindings, which Istio 1.6 removed, come out as the v1 AuthorizationPolicies that enforce the
// same access (with deny-by-default written as allow-nothing policies), and v1beta1 objects
// come out at v1.
//
// Objects are built as unstructured maps rather than through the Istio Go types: those marshal
// their spec with protojson, which the generic converter cannot call, and maps give byte-stable
// output. Objects are named after the model's policies; a clash gets a stable hash suffix.
package istiopolicy
