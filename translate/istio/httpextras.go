package istio

import (
	"fmt"

	"istio.io/api/networking/v1alpha3"

	"github.com/meshbridge/meshbridge/model"
)

// readMirrors merges Istio's two mirror forms: the older mirror + mirrorPercentage (or the
// deprecated mirrorPercent) and the list form mirrors.
func (r *reader) readMirrors(origin model.Origin, ns, field string, h *v1alpha3.HTTPRoute) []model.Mirror {
	var out []model.Mirror
	if d := h.GetMirror(); d != nil {
		m := model.Mirror{Field: field + ".mirror", Backend: r.backend(origin, ns, field+".mirror", d, 0)}
		switch {
		case h.GetMirrorPercentage() != nil:
			p := h.GetMirrorPercentage().GetValue()
			m.Percent = &p
		case h.GetMirrorPercent() != nil:
			p := float64(h.GetMirrorPercent().GetValue())
			m.Percent = &p
		}
		out = append(out, m)
	}
	for i, mp := range h.GetMirrors() {
		mf := fmt.Sprintf("%s.mirrors[%d]", field, i)
		m := model.Mirror{Field: mf, Backend: r.backend(origin, ns, mf, mp.GetDestination(), 0)}
		if p := mp.GetPercentage(); p != nil {
			v := p.GetValue()
			m.Percent = &v
		}
		r.rest(origin, mf, mp, "destination", "percentage")
		out = append(out, m)
	}
	return out
}

func (r *reader) readCORS(origin model.Origin, field string, c *v1alpha3.CorsPolicy) *model.CORS {
	if c == nil {
		return nil
	}
	field += ".corsPolicy"
	cors := &model.CORS{
		Field: field, AllowMethods: c.GetAllowMethods(), AllowHeaders: c.GetAllowHeaders(),
		ExposeHeaders: c.GetExposeHeaders(), MaxAge: c.GetMaxAge().AsDuration(),
	}
	for _, o := range c.GetAllowOrigin() { // deprecated exact-match form
		cors.AllowOrigins = append(cors.AllowOrigins, model.StringMatch{Type: model.MatchExact, Value: o})
	}
	for _, o := range c.GetAllowOrigins() {
		if sm := stringMatch(o); sm != nil {
			cors.AllowOrigins = append(cors.AllowOrigins, *sm)
		}
	}
	if ac := c.GetAllowCredentials(); ac != nil {
		v := ac.GetValue()
		cors.AllowCredentials = &v
	}
	r.rest(origin, field, c, "allowOrigin", "allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders",
		"maxAge", "allowCredentials")
	return cors
}

func (r *reader) readFault(origin model.Origin, field string, f *v1alpha3.HTTPFaultInjection) *model.Fault {
	if f == nil {
		return nil
	}
	field += ".fault"
	fault := &model.Fault{Field: field}
	if d := f.GetDelay(); d != nil {
		fault.Delay = d.GetFixedDelay().AsDuration()
		fault.DelayPercent = percent(d.GetPercentage(), d.GetPercent())
		r.rest(origin, field+".delay", d, "fixedDelay", "percentage", "percent")
	}
	if a := f.GetAbort(); a != nil {
		fault.AbortStatus = int(a.GetHttpStatus())
		fault.AbortPercent = percent(a.GetPercentage(), 0)
		r.rest(origin, field+".abort", a, "httpStatus", "percentage")
	}
	return fault
}

// percent returns Istio's percentage, preferring the newer double form; nil means 100%.
func percent(p *v1alpha3.Percent, legacy int32) *float64 {
	switch {
	case p != nil:
		v := p.GetValue()
		return &v
	case legacy != 0:
		v := float64(legacy)
		return &v
	}
	return nil
}
