package gatewayapi

import (
	"testing"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func TestProducerAndConsumerRoutes(t *testing.T) {
	base := func(vsNS string, opts ...vsOpt) *model.Snapshot {
		return snapshot(svc("shop", "web", port("http", 80)),
			vs(vsNS, "web", append([]vsOpt{host("shop", "web")}, append(opts, http(to("shop", "web", 0, 100, "v1")))...)...))
	}
	cases := []struct {
		name   string
		snap   *model.Snapshot
		opts   emit.Options
		routes []string // namespaces that get the route
		codes  []model.Code
	}{
		{"a VirtualService beside its Service is a producer route", base("shop"), emit.Options{}, []string{"shop"}, nil},
		{"exportTo . on a producer would reach every client: not written", base("shop", exportTo(".")), emit.Options{},
			nil, []model.Code{model.CodeGWExportToProducer}},
		{"a VirtualService in a client namespace exported everywhere becomes a consumer route, reported",
			base("client"), emit.Options{}, []string{"client"}, []model.Code{model.CodeGWExportToWidened}},
		{"a consumer VirtualService exported to its own namespace is exact", base("client", exportTo(".")), emit.Options{}, []string{"client"}, nil},
		{"exportTo listing client namespaces gives one consumer route each", base("client", exportTo(".", "other", "shop")),
			emit.Options{}, []string{"client", "other"}, []model.Code{model.CodeGWExportToProducer}},
		{"exportTo ~ writes nothing", base("shop", exportTo("~")), emit.Options{}, nil, []model.Code{model.CodeGWExportToHidden}},
		{"Cilium has no consumer routes", base("client", exportTo(".")), emit.Options{Mesh: MeshCilium}, nil, []model.Code{model.CodeGWConsumerRoute}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := write(t, c.snap, c.opts)
			r.want(c.codes...)
			if r.count("HTTPRoute") != len(c.routes) {
				t.Fatalf("objects = %s", r.names())
			}
			for _, ns := range c.routes {
				rt := r.get("HTTPRoute", ns, "web")
				wantNS := any(nil)
				if ns != "shop" {
					wantNS = "shop"
					// the consumer route reaches the subset Service across namespaces
					g := r.get("ReferenceGrant", "shop", "meshbridge-from-"+ns)
					if field(t, g, "spec.to.0.name") != "web-v1" || field(t, g, "spec.from.0.kind") != "HTTPRoute" {
						t.Errorf("grant = %v", g.Object["spec"])
					}
				}
				if got := field(t, rt, "spec.parentRefs.0.namespace"); got != wantNS {
					t.Errorf("parent namespace = %v, want %v", got, wantNS)
				}
			}
			if len(c.routes) == 1 && c.routes[0] == "shop" && r.count("ReferenceGrant") != 0 {
				t.Errorf("a producer route needs no grant: %s", r.names())
			}
		})
	}
}

func TestPortsAndProtocols(t *testing.T) {
	t.Run("matches on ports give one route per HTTP port", func(t *testing.T) {
		snap := snapshot(svc("shop", "web", port("http", 80), port("http-alt", 8080), port("http-b", 9090), port("tcp-db", 5432)),
			vs("shop", "web", host("shop", "web"),
				http(when(onPort(8080)), to("shop", "web", 8080, 100, "v2")),
				http(to("shop", "web", 80, 100, "v1"))))
		r := write(t, snap, emit.Options{})
		shared := r.get("HTTPRoute", "shop", "web-80")
		if length(t, shared, "spec.parentRefs") != 1 || length(t, shared, "spec.rules") != 1 || r.count("HTTPRoute") != 3 {
			t.Errorf("shared route = %v", shared.Object["spec"])
		}
		alt := r.get("HTTPRoute", "shop", "web-8080")
		if field(t, alt, "spec.parentRefs.0.port") != int64(8080) || length(t, alt, "spec.rules") != 2 {
			t.Errorf("port 8080 route = %v", alt.Object["spec"])
		}
		if r.get("HTTPRoute", "shop", "web-9090") == nil {
			t.Errorf("objects = %s (the TCP port gets no HTTPRoute)", r.names())
		}
	})
	t.Run("a gRPC port gets a GRPCRoute with method matches", func(t *testing.T) {
		snap := snapshot(svc("shop", "api", port("grpc", 9090)),
			vs("shop", "api", host("shop", "api"),
				http(when(exact("/shop.Cart/Add")), to("shop", "api", 0, 100, "v2")),
				http(when(prefix("/shop.Cart/")), to("shop", "api", 0, 100, "v1")),
				http(to("shop", "api", 0, 100))))
		r := write(t, snap, emit.Options{})
		rt := r.get("GRPCRoute", "shop", "api")
		checks := map[string]any{
			"spec.rules.0.matches.0.method.service": "shop.Cart",
			"spec.rules.0.matches.0.method.method":  "Add",
			"spec.rules.1.matches.0.method.service": "shop.Cart",
			"spec.rules.1.matches.0.method.method":  nil,
			"spec.rules.2.matches":                  nil,
			"spec.rules.2.backendRefs.0.name":       "api",
		}
		for p, v := range checks {
			if got := field(t, rt, p); got != v {
				t.Errorf("%s = %v, want %v", p, got, v)
			}
		}
	})
	t.Run("Kuma gets gRPC as an HTTPRoute", func(t *testing.T) {
		snap := snapshot(svc("shop", "api", model.ServicePort{Name: "api", Port: 9090, AppProtocol: "grpc"}),
			vs("shop", "api", host("shop", "api"), http(to("shop", "api", 0, 100))))
		r := write(t, snap, emit.Options{Mesh: MeshKuma})
		r.want(model.CodeGWGRPCAsHTTP)
		r.get("HTTPRoute", "shop", "api")
	})
	t.Run("a Service with no HTTP port gets no HTTPRoute", func(t *testing.T) {
		snap := snapshot(svc("shop", "db", port("tcp", 5432)), vs("shop", "db", host("shop", "db"), http(to("shop", "db", 0, 100))))
		r := write(t, snap, emit.Options{})
		r.want(model.CodeGWNoPort)
		if len(r.objs) != 0 {
			t.Errorf("objects = %s", r.names())
		}
	})
}

func TestHostsAndServices(t *testing.T) {
	snap := snapshot(svc("shop", "a", port("http", 80)), svc("shop", "b", port("http", 80)),
		vs("shop", "ab", host("shop", "a"), host("shop", "b"), rawHost("api.example.com"), http(to("shop", "a", 0, 100))),
		vs("shop", "other", host("shop", "a"), http(to("shop", "b", 0, 100))),
	)
	r := write(t, snap, emit.Options{})
	r.get("HTTPRoute", "shop", "ab-a")
	r.get("HTTPRoute", "shop", "ab-b")
	r.get("HTTPRoute", "shop", "other")
	r.want(model.CodeGWHostNotService, model.CodeGWSameHost)
}
