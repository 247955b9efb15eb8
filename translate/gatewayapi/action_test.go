package gatewayapi

import (
	"fmt"
	"testing"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func actionSnap(rule ...ruleOpt) *model.Snapshot {
	return snapshot(
		svc("shop", "web", port("http", 80)), svc("shop", "a", port("http", 80)), svc("mirror", "shadow", port("http", 8080)),
		vs("shop", "web", host("shop", "web"), http(rule...)),
	)
}

func TestRedirect(t *testing.T) {
	cases := []struct {
		name  string
		rd    model.Redirect
		opts  emit.Options
		want  map[string]any // path under spec.rules.0.filters.0.requestRedirect -> value; nil: no route
		codes []model.Code
	}{
		{"Istio's default status 301 is written out, since Gateway API defaults to 302",
			model.Redirect{Path: "/v2/login", Authority: "login.example.com"}, emit.Options{},
			map[string]any{"statusCode": int64(301), "path.replaceFullPath": "/v2/login", "path.type": "ReplaceFullPath", "hostname": "login.example.com"}, nil},
		{"an authority with a port sets hostname and port",
			model.Redirect{Authority: "example.com:8443", Scheme: "https", StatusCode: 308}, emit.Options{},
			map[string]any{"hostname": "example.com", "port": int64(8443), "scheme": "https", "statusCode": int64(308)}, nil},
		{"Linkerd takes 308 as 301, reported",
			model.Redirect{Authority: "example.com", StatusCode: 308}, emit.Options{Mesh: MeshLinkerd},
			map[string]any{"statusCode": int64(301)}, []model.Code{model.CodeGWRedirectApproximated}},
		{"Linkerd has no path redirect: the rule is not written",
			model.Redirect{Path: "/x"}, emit.Options{Mesh: MeshLinkerd}, nil, []model.Code{model.CodeGWRedirectNotWritten}},
		{"a status Gateway API does not know is refused",
			model.Redirect{Path: "/x", StatusCode: 300}, emit.Options{}, nil, []model.Code{model.CodeGWRedirectNotWritten}},
		{"a scheme redirect keeps the request's port, as Istio does",
			model.Redirect{Scheme: "https"}, emit.Options{},
			map[string]any{"scheme": "https", "port": nil}, []model.Code{model.CodeGWRedirectApproximated}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := write(t, actionSnap(when(prefix("/old/")), redirect(c.rd)), c.opts)
			r.want(c.codes...)
			if c.want == nil {
				if r.count("HTTPRoute") != 0 {
					t.Errorf("objects = %s", r.names())
				}
				return
			}
			rt := r.get("HTTPRoute", "shop", "web")
			if field(t, rt, "spec.rules.0.backendRefs") != nil {
				t.Error("a redirect rule has backends")
			}
			for p, v := range c.want {
				if got := field(t, rt, "spec.rules.0.filters.0.requestRedirect."+p); got != v {
					t.Errorf("%s = %v, want %v", p, got, v)
				}
			}
		})
	}
}

func TestRewrite(t *testing.T) {
	cases := []struct {
		name  string
		match []matchOpt
		rw    model.Rewrite
		opts  emit.Options
		want  map[string]any
		codes []model.Code
	}{
		{"a prefix and replacement both ending in / rewrite the prefix",
			[]matchOpt{prefix("/api/")}, model.Rewrite{Path: "/"}, emit.Options{},
			map[string]any{"path.type": "ReplacePrefixMatch", "path.replacePrefixMatch": "/"}, []model.Code{model.CodeGWBarePathMisrouted}},
		{"an exact match rewrites the full path",
			[]matchOpt{exact("/old")}, model.Rewrite{Path: "/new", Authority: "new.shop"}, emit.Options{},
			map[string]any{"path.type": "ReplaceFullPath", "path.replaceFullPath": "/new", "hostname": "new.shop"}, nil},
		{"a prefix inside a segment rewrites as PathPrefix; its remainder is dropped, and its paths reaching no rule is an error",
			[]matchOpt{prefix("/ratings")}, model.Rewrite{Path: "/v1/ratings"}, emit.Options{},
			map[string]any{"path.replacePrefixMatch": "/v1/ratings"}, []model.Code{model.CodeGWPrefixRestMisrouted}},
		{"an ignoreUriCase prefix is a regular expression, so its prefix rewrite is refused rather than replacing the whole path",
			[]matchOpt{prefix("/Ratings/"), ignoreCase()}, model.Rewrite{Path: "/v1/"}, emit.Options{}, nil, []model.Code{model.CodeGWRewriteNotWritten}},
		{"a prefix replaced by / differs only by a doubled slash: written and reported",
			[]matchOpt{prefix("/ratings")}, model.Rewrite{Path: "/"}, emit.Options{},
			map[string]any{"path.replacePrefixMatch": "/"}, []model.Code{model.CodeGWRewriteApproximated}},
		{"a prefix ending in / replaced by one that does not would change the path: not written",
			[]matchOpt{prefix("/api/")}, model.Rewrite{Path: "/v2"}, emit.Options{}, nil, []model.Code{model.CodeGWRewriteNotWritten}},
		{"a regex rewrite is refused",
			[]matchOpt{prefix("/api/")}, model.Rewrite{RegexPattern: "^/api(.*)", RegexSubstitution: "\\1"}, emit.Options{},
			nil, []model.Code{model.CodeGWRewriteNotWritten}},
		{"Linkerd reads no URLRewrite",
			[]matchOpt{exact("/old")}, model.Rewrite{Path: "/new"}, emit.Options{Mesh: MeshLinkerd}, nil, []model.Code{model.CodeGWRewriteNotWritten}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := write(t, actionSnap(when(c.match...), to("shop", "a", 0, 100), rewrite(c.rw)), c.opts)
			r.want(c.codes...)
			if c.want == nil {
				if r.count("HTTPRoute") != 0 {
					t.Errorf("objects = %s", r.names())
				}
				return
			}
			rt := r.get("HTTPRoute", "shop", "web")
			for p, v := range c.want {
				if got := field(t, rt, "spec.rules.0.filters.0.urlRewrite."+p); got != v {
					t.Errorf("%s = %v, want %v", p, got, v)
				}
			}
		})
	}
	t.Run("a prefix rewrite with two matches gets one rule per match", func(t *testing.T) {
		r := write(t, actionSnap(when(prefix("/a/")), when(prefix("/b/")), to("shop", "a", 0, 100), rewrite(model.Rewrite{Path: "/"})), emit.Options{})
		if n := length(t, r.get("HTTPRoute", "shop", "web"), "spec.rules"); n != 2 {
			t.Errorf("rules = %d, want 2", n)
		}
	})
}

func TestHeadersMirrorCORS(t *testing.T) {
	half, quarter := 50.0, 0.25
	r := write(t, actionSnap(
		to("shop", "a", 0, 100),
		headers(model.HeaderEdits{
			Request:  &model.HeaderOps{Set: []model.KeyValue{{Name: "x-a", Value: "1"}, {Name: "bad name", Value: "2"}}, Remove: []string{"x-b"}},
			Response: &model.HeaderOps{Add: []model.KeyValue{{Name: "x-c", Value: "3"}}},
		}),
		mirror(backend("mirror", "shadow", 0, 0), &half),
		mirror(backend("mirror", "shadow", 0, 0, "v2"), &quarter),
		cors(model.CORS{
			AllowOrigins: []model.StringMatch{{Type: model.MatchExact, Value: "https://shop.example.com"}, {Type: model.MatchRegex, Value: ".*"}},
			AllowMethods: []string{"GET", "post", "PURGE"}, AllowHeaders: []string{"x-user"}, MaxAge: 86400e9,
		}),
	), emit.Options{})
	rt := r.get("HTTPRoute", "shop", "web")
	r.want(model.CodeGWHeaderEditDropped, model.CodeGWCORSDropped)
	checks := map[string]any{
		"spec.rules.0.filters.0.type":                                 "RequestHeaderModifier",
		"spec.rules.0.filters.0.requestHeaderModifier.set.0.name":     "x-a",
		"spec.rules.0.filters.0.requestHeaderModifier.remove.0":       "x-b",
		"spec.rules.0.filters.1.responseHeaderModifier.add.0.value":   "3",
		"spec.rules.0.filters.2.requestMirror.percent":                int64(50),
		"spec.rules.0.filters.2.requestMirror.backendRef.namespace":   "mirror",
		"spec.rules.0.filters.2.requestMirror.backendRef.port":        int64(8080),
		"spec.rules.0.filters.3.requestMirror.fraction.numerator":     int64(1),
		"spec.rules.0.filters.3.requestMirror.fraction.denominator":   int64(400),
		"spec.rules.0.filters.3.requestMirror.backendRef.name":        "shadow-v2",
		"spec.rules.0.filters.4.cors.allowOrigins.0":                  "https://shop.example.com",
		"spec.rules.0.filters.4.cors.allowMethods.1":                  "POST",
		"spec.rules.0.filters.4.cors.maxAge":                          int64(86400),
		"spec.rules.0.filters.4.cors.allowHeaders.0":                  "x-user",
		"spec.rules.0.filters.2.requestMirror.backendRef.kind":        nil,
		"spec.rules.0.filters.0.requestHeaderModifier.set.1":          nil,
		"spec.rules.0.filters.4.cors.allowMethods.2":                  nil,
		"spec.rules.0.filters.3.requestMirror.fraction.numerator.bad": nil,
	}
	for p, v := range checks {
		if got := field(t, rt, p); got != v {
			t.Errorf("%s = %v, want %v", p, got, v)
		}
	}
	t.Run("mirrors in another namespace are granted", func(t *testing.T) {
		g := r.get("ReferenceGrant", "mirror", "meshbridge-from-shop")
		if length(t, g, "spec.to") != 2 {
			t.Errorf("grant = %v", g.Object["spec"])
		}
		r.get("Service", "mirror", "shadow-v2")
	})
	t.Run("Linkerd gets neither mirror nor CORS", func(t *testing.T) {
		r := write(t, actionSnap(to("shop", "a", 0, 100), mirror(backend("mirror", "shadow", 0, 0), nil),
			cors(model.CORS{AllowOrigins: []model.StringMatch{{Type: model.MatchExact, Value: "*"}}})), emit.Options{Mesh: MeshLinkerd})
		r.want(model.CodeGWMirrorDropped, model.CodeGWCORSDropped)
		if f := field(t, r.get("HTTPRoute", "shop", "web"), "spec.rules.0.filters"); f != nil {
			t.Errorf("filters = %v", f)
		}
		if r.count("ReferenceGrant") != 0 {
			t.Errorf("a grant was written for a dropped mirror: %s", r.names())
		}
	})
}

func TestBackends(t *testing.T) {
	t.Run("an unresolved subset drops the rule", func(t *testing.T) {
		b := backend("shop", "a", 0, 100)
		b.Subset = "v9"
		r := write(t, actionSnap(func(r *model.HTTPRule) { r.Backends = append(r.Backends, b) }), emit.Options{})
		r.want(model.CodeGWSubsetService)
		if r.count("HTTPRoute") != 0 || r.count("Service") != 0 {
			t.Errorf("objects = %s", r.names())
		}
	})
	t.Run("the same destination twice is merged", func(t *testing.T) {
		r := write(t, actionSnap(to("shop", "a", 0, 30), to("shop", "a", 0, 20), to("shop", "web", 0, 50)), emit.Options{})
		rt := r.get("HTTPRoute", "shop", "web")
		if length(t, rt, "spec.rules.0.backendRefs") != 2 || field(t, rt, "spec.rules.0.backendRefs.0.weight") != int64(50) {
			t.Errorf("backends = %v", field(t, rt, "spec.rules.0.backendRefs"))
		}
	})
	t.Run("more than 16 destinations drop the rule", func(t *testing.T) {
		var opts []ruleOpt
		var svcs []snapOpt
		for i := range 17 {
			n := string(rune('a'+i)) + "x"
			svcs = append(svcs, svc("shop", n, port("http", 80)))
			opts = append(opts, to("shop", n, 0, 1))
		}
		snap := snapshot(append(svcs, svc("shop", "web", port("http", 80)), vs("shop", "web", host("shop", "web"), http(opts...)))...)
		r := write(t, snap, emit.Options{})
		r.want(model.CodeGWTooManyBackends)
		if r.count("HTTPRoute") != 0 {
			t.Errorf("objects = %s", r.names())
		}
	})
	t.Run("a destination without port on a multi-port Service gets the request's port", func(t *testing.T) {
		snap := snapshot(svc("shop", "web", port("http", 80), port("http-admin", 8080)),
			vs("shop", "web", host("shop", "web"), http(to("shop", "web", 0, 100, "v1"))))
		r := write(t, snap, emit.Options{})
		for _, p := range []int64{80, 8080} {
			rt := r.get("HTTPRoute", "shop", "web-"+fmt.Sprint(p))
			if field(t, rt, "spec.parentRefs.0.port") != p || field(t, rt, "spec.rules.0.backendRefs.0.port") != p {
				t.Errorf("route for port %d = %v", p, rt.Object["spec"])
			}
		}
	})
	t.Run("directResponse and an abort fault cannot be written; a delay is dropped", func(t *testing.T) {
		r := write(t, actionSnap(to("shop", "a", 0, 100), func(r *model.HTTPRule) {
			r.Fault = &model.Fault{Field: "spec.http[0].fault", Delay: 5e9}
		}), emit.Options{})
		r.want(model.CodeGWFaultDropped)
		r.get("HTTPRoute", "shop", "web")
		r = write(t, actionSnap(func(r *model.HTTPRule) {
			r.DirectResponse = &model.DirectResponse{Field: "spec.http[0].directResponse", Status: 503}
		}), emit.Options{})
		r.want(model.CodeGWActionNotExpressible)
		if r.count("HTTPRoute") != 0 {
			t.Errorf("objects = %s", r.names())
		}
	})
}
