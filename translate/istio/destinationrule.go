package istio

import (
	"fmt"

	"github.com/meshbridge/meshbridge/model"
)

// subsetKey identifies one subset of one Service.
type subsetKey struct{ namespace, service, subset string }

// readDestinationRules indexes DestinationRule subsets by Service. Traffic policies (load
// balancing, connection pools, outlier detection, TLS origination) have no place in the model
// yet and are reported.
func (r *reader) readDestinationRules() {
	r.subsets = map[subsetKey]map[string]string{}
	owner := map[subsetKey]model.Origin{}
	for _, dr := range r.inv.DestinationRules {
		origin := r.inv.Origin(dr.APIVersion, "DestinationRule", dr)
		spec := &dr.Spec
		svc, ok := r.resolveHost(spec.GetHost(), dr.Namespace)
		if !ok {
			r.report(model.CodeHostNotResolved, origin, "spec.host",
				"host %q is not a Service in the input; its subsets cannot be routed to", spec.GetHost())
			continue
		}
		if spec.GetTrafficPolicy() != nil {
			r.report(model.CodeFieldNotTranslated, origin, "spec.trafficPolicy",
				"traffic policies (load balancing, connection pool, outlier detection, TLS) are not translated")
		}
		for i, ss := range spec.GetSubsets() {
			field := fmt.Sprintf("spec.subsets[%d]", i)
			if ss.GetTrafficPolicy() != nil {
				r.report(model.CodeFieldNotTranslated, origin, field+".trafficPolicy",
					"subset traffic policy is not translated")
			}
			k := subsetKey{svc.Namespace, svc.Name, ss.GetName()}
			if prev, dup := owner[k]; dup {
				r.report(model.CodeFieldNotTranslated, origin, field,
					"subset %q of %s/%s is already defined by %s; that definition is used", ss.GetName(), svc.Namespace, svc.Name, prev)
				continue
			}
			owner[k] = origin
			labels := ss.GetLabels()
			if labels == nil { // a subset without labels selects every pod of the Service
				labels = map[string]string{}
			}
			r.subsets[k] = labels
		}
		for _, f := range []struct {
			set  bool
			name string
		}{
			{len(spec.GetExportTo()) > 0, "spec.exportTo"},
			{spec.GetWorkloadSelector() != nil, "spec.workloadSelector"},
		} {
			if f.set {
				r.report(model.CodeFieldNotTranslated, origin, f.name, "field is not translated")
			}
		}
	}
}
