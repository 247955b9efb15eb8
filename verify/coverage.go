package verify

import (
	"slices"

	"github.com/meshbridge/meshbridge/model"
)

// coverage tells whether a difference was reported: whether the translation said, with an
// error or a warning finding on one of the Istio objects behind the difference, that it could
// not write them exactly.
type coverage struct {
	snap  *model.Snapshot
	codes map[model.ObjectRef][]model.Code
}

func newCoverage(snap *model.Snapshot, findings model.Findings) *coverage {
	c := &coverage{snap: snap, codes: map[model.ObjectRef][]model.Code{}}
	for _, f := range findings {
		if f.Severity < model.Warning {
			continue
		}
		k := key(f.Origin.Object)
		if !slices.Contains(c.codes[k], f.Code) {
			c.codes[k] = append(c.codes[k], f.Code)
		}
	}
	return c
}

func key(r model.ObjectRef) model.ObjectRef {
	r.APIVersion = ""
	return r
}

func (c *coverage) of(objs []model.ObjectRef) []model.Code {
	var out []model.Code
	for _, o := range objs {
		for _, code := range c.codes[key(o)] {
			if !slices.Contains(out, code) {
				out = append(out, code)
			}
		}
	}
	slices.Sort(out)
	return out
}

// access returns the codes reported on the workload, the access policies that apply to it (or
// to a Service that selects it, through a waypoint) and the PeerAuthentications that may.
func (c *coverage) access(w model.Workload) []model.Code {
	objs := []model.ObjectRef{w.Origin.Object}
	var attached []model.ObjectRef
	for _, s := range c.snap.Inventory.WorkloadServices(w) {
		attached = append(attached, model.ObjectRef{Kind: "Service", Namespace: s.Namespace, Name: s.Name})
	}
	for _, p := range c.snap.Access {
		if p.Target.Applies(w.Namespace, w.Labels, attached) {
			objs = append(objs, p.Origin.Object)
		}
	}
	for _, pa := range c.snap.PeerAuthentications {
		if pa.MeshWide || (pa.Namespace == w.Namespace && model.Selects(pa.Selector, w.Labels)) {
			objs = append(objs, pa.Origin.Object)
		}
	}
	return c.of(objs)
}

// routes returns the codes reported on the Service and the route sets that name it.
func (c *coverage) routes(svc model.ServiceRef) []model.Code {
	var objs []model.ObjectRef
	if s, ok := c.snap.Inventory.Service(svc.Namespace, svc.Name); ok {
		objs = append(objs, s.Origin.Object)
	}
	for _, rs := range c.snap.Routes {
		if slices.ContainsFunc(rs.Services, func(s model.ServiceRef) bool { return s.Namespace == svc.Namespace && s.Name == svc.Name }) {
			objs = append(objs, rs.Origin.Object)
		}
	}
	return c.of(objs)
}
