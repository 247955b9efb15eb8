package istio

import (
	"cmp"
	"slices"

	"github.com/meshbridge/meshbridge/model"
)

// readAccess reads AuthorizationPolicies (security.istio.io v1beta1 and v1, one schema) and the
// retired rbac.istio.io/v1alpha1 kinds into snap.Access. v1alpha1 is read second because a
// v1beta1 policy on a workload switched v1alpha1 off for it (Istio 1.4 and 1.5). Both end up in
// the same model, with v1beta1 semantics, so that every writer and the evaluator hold them to
// one meaning.
func (r *reader) readAccess() {
	r.snap.Access = slices.Grow(r.snap.Access, len(r.inv.AuthorizationPolicies))
	for _, p := range r.inv.AuthorizationPolicies {
		r.readAuthorizationPolicy(p)
	}
	r.readRBAC()
	slices.SortStableFunc(r.snap.Access, func(a, b model.AccessPolicy) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
}
