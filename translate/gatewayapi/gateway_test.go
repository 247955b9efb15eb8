package gatewayapi

import (
	"testing"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func ingressSnap(extra ...snapOpt) *model.Snapshot {
	opts := []snapOpt{
		svc("shop", "web", port("http", 80)),
		workload("istio-system", "ingress", map[string]string{"istio": "ingressgateway"}),
		gateway("shop", "public",
			model.GatewayServer{Port: 80, Protocol: "HTTP", Hosts: []string{"*/shop.example.com"}, TLS: &model.GatewayTLS{HTTPSRedirect: true}},
			model.GatewayServer{Port: 443, Protocol: "HTTPS", Hosts: []string{"./shop.example.com", "team/*.team.example.com"},
				TLS: &model.GatewayTLS{Mode: "SIMPLE", CredentialName: "shop-cert"}},
			model.GatewayServer{Port: 8443, Protocol: "TLS", Hosts: []string{"db.example.com"}, TLS: &model.GatewayTLS{Mode: "PASSTHROUGH"}},
			model.GatewayServer{Port: 9443, Protocol: "HTTPS", Hosts: []string{"mtls.example.com"}, TLS: &model.GatewayTLS{Mode: "MUTUAL", CredentialName: "c"}},
		),
		vs("shop", "web", rawHost("shop.example.com"), gateways("shop/public"),
			http(when(prefix("/api/")), to("shop", "web", 0, 100))),
		vs("shop", "db", rawHost("db.example.com"), gateways("shop/public"),
			tls(model.L4Rule{Matches: []model.L4Match{{SNIHosts: []string{"db.example.com"}}}, Backends: []model.Backend{backend("shop", "web", 0, 100)}}),
		),
	}
	return snapshot(append(opts, extra...)...)
}

func TestGateway(t *testing.T) {
	r := write(t, ingressSnap(), emit.Options{})
	gw := r.get("Gateway", "shop", "public")

	t.Run("the class is istio by default", func(t *testing.T) {
		if field(t, gw, "spec.gatewayClassName") != "istio" {
			t.Errorf("class = %v", field(t, gw, "spec.gatewayClassName"))
		}
	})
	t.Run("one listener per server and host, with allowedRoutes from the host's namespace", func(t *testing.T) {
		want := []struct {
			name, proto, host, from string
		}{
			{"http-80-shop-example-com", "HTTP", "shop.example.com", "All"},
			{"https-443-wildcard-team-example-com", "HTTPS", "*.team.example.com", "Selector"},
			{"https-443-shop-example-com", "HTTPS", "shop.example.com", "Same"},
			{"tls-8443-db-example-com", "TLS", "db.example.com", "All"},
		}
		if n := length(t, gw, "spec.listeners"); n != len(want) {
			t.Fatalf("listeners = %v", field(t, gw, "spec.listeners"))
		}
		for i, w := range want {
			p := "spec.listeners." + string(rune('0'+i))
			if field(t, gw, p+".name") != w.name || field(t, gw, p+".protocol") != w.proto || field(t, gw, p+".hostname") != w.host ||
				field(t, gw, p+".allowedRoutes.namespaces.from") != w.from {
				t.Errorf("listener %d = %v", i, field(t, gw, p))
			}
		}
		if field(t, gw, "spec.listeners.1.allowedRoutes.namespaces.selector.matchExpressions.0.values.0") != "team" {
			t.Errorf("selector = %v", field(t, gw, "spec.listeners.1.allowedRoutes"))
		}
	})
	t.Run("the credential is a Secret where the gateway pods run, granted to the Gateway", func(t *testing.T) {
		if field(t, gw, "spec.listeners.1.tls.certificateRefs.0.namespace") != "istio-system" ||
			field(t, gw, "spec.listeners.1.tls.certificateRefs.0.name") != "shop-cert" {
			t.Errorf("tls = %v", field(t, gw, "spec.listeners.1.tls"))
		}
		g := r.get("ReferenceGrant", "istio-system", "meshbridge-from-shop")
		if field(t, g, "spec.from.0.kind") != "Gateway" || field(t, g, "spec.to.0.kind") != "Secret" {
			t.Errorf("grant = %v", g.Object["spec"])
		}
	})
	t.Run("mutual TLS is refused rather than accepting clients without certificates", func(t *testing.T) {
		r.want(model.CodeGWServerNotWritten, model.CodeGWGatewaySelector)
	})
	t.Run("httpsRedirect becomes a redirect route on the plain listener only", func(t *testing.T) {
		rd := r.get("HTTPRoute", "shop", "public-https-redirect")
		if field(t, rd, "spec.parentRefs.0.sectionName") != "http-80-shop-example-com" ||
			field(t, rd, "spec.rules.0.filters.0.requestRedirect.scheme") != "https" ||
			field(t, rd, "spec.rules.0.filters.0.requestRedirect.statusCode") != int64(301) {
			t.Errorf("redirect route = %v", rd.Object["spec"])
		}
	})
	t.Run("bound routes attach to the listeners that accept their hosts, with hostnames", func(t *testing.T) {
		rt := r.get("HTTPRoute", "shop", "web")
		if length(t, rt, "spec.parentRefs") != 1 || field(t, rt, "spec.parentRefs.0.sectionName") != "https-443-shop-example-com" ||
			field(t, rt, "spec.hostnames.0") != "shop.example.com" || field(t, rt, "spec.parentRefs.0.kind") != nil {
			t.Errorf("route = %v", rt.Object["spec"])
		}
		tr := r.get("TLSRoute", "shop", "db-tls-0")
		if field(t, tr, "spec.parentRefs.0.sectionName") != "tls-8443-db-example-com" {
			t.Errorf("tls route = %v", tr.Object["spec"])
		}
	})
}

func TestGatewayFailuresStayLocal(t *testing.T) {
	t.Run("a Gateway with no writable server is reported and the rest is still written", func(t *testing.T) {
		r := write(t, ingressSnap(
			gateway("shop", "broken", model.GatewayServer{Port: 9000, Protocol: "HTTPS", Hosts: []string{"*"}, TLS: &model.GatewayTLS{Mode: "ISTIO_MUTUAL"}}),
			vs("shop", "to-broken", rawHost("x.example.com"), gateways("shop/broken"), http(to("shop", "web", 0, 100))),
		), emit.Options{})
		r.want(model.CodeGWGatewayNotWritten, model.CodeGWGatewayMissing)
		r.get("Gateway", "shop", "public")
		r.get("HTTPRoute", "shop", "web")
	})
	t.Run("Linkerd implements no Gateway", func(t *testing.T) {
		r := write(t, ingressSnap(), emit.Options{Mesh: MeshLinkerd})
		r.want(model.CodeGWKindNotRead)
		if r.count("Gateway") != 0 || r.count("HTTPRoute") != 0 {
			t.Errorf("objects = %s", r.names())
		}
	})
	t.Run("Cilium Gateways use the cilium class", func(t *testing.T) {
		r := write(t, ingressSnap(), emit.Options{Mesh: MeshCilium})
		if field(t, r.get("Gateway", "shop", "public"), "spec.gatewayClassName") != "cilium" {
			t.Error("wrong class")
		}
	})
	t.Run("a VirtualService bound to the mesh and a Gateway gets both routes", func(t *testing.T) {
		r := write(t, ingressSnap(
			vs("shop", "both", rawHost("shop.example.com"), host("shop", "web"), gateways("shop/public", "mesh"), http(when(onGateways("mesh")), to("shop", "web", 0, 100, "v2")), http(to("shop", "web", 0, 100))),
		), emit.Options{})
		mesh := r.get("HTTPRoute", "shop", "both-mesh")
		if length(t, mesh, "spec.rules") != 2 {
			t.Errorf("mesh route = %v", mesh.Object["spec"])
		}
		ingress := r.get("HTTPRoute", "shop", "both")
		if length(t, ingress, "spec.rules") != 1 || field(t, ingress, "spec.rules.0.backendRefs.0.name") != "web" {
			t.Errorf("gateway route = %v", ingress.Object["spec"])
		}
	})
}

func TestTLSRoutesAttachToTheListenersOfTheirHosts(t *testing.T) {
	r := write(t, snapshot(
		svc("secrets", "vault", port("tls", 8200)), svc("secrets", "registry", port("tls", 5000)),
		workload("istio-system", "ingress", map[string]string{"istio": "ingressgateway"}),
		gateway("secrets", "passthrough", model.GatewayServer{Port: 443, Protocol: "TLS",
			Hosts: []string{"vault.example.com", "registry.example.com"}, TLS: &model.GatewayTLS{Mode: "PASSTHROUGH"}}),
		vs("secrets", "routes", rawHost("vault.example.com"), rawHost("registry.example.com"), gateways("secrets/passthrough"),
			tls(model.L4Rule{Matches: []model.L4Match{{Port: 443, SNIHosts: []string{"vault.example.com"}}}, Backends: []model.Backend{backend("secrets", "vault", 0, 100)}}),
			tls(model.L4Rule{Matches: []model.L4Match{{Port: 443, SNIHosts: []string{"registry.example.com"}}}, Backends: []model.Backend{backend("secrets", "registry", 0, 100)}}),
		),
	), emit.Options{})
	for _, c := range []struct{ name, listener string }{
		{"routes-tls-0", "tls-443-vault-example-com"}, {"routes-tls-1", "tls-443-registry-example-com"},
	} {
		name, listener := c.name, c.listener
		t.Run(name+" attaches only to "+listener, func(t *testing.T) {
			tr := r.get("TLSRoute", "secrets", name)
			if length(t, tr, "spec.parentRefs") != 1 || field(t, tr, "spec.parentRefs.0.sectionName") != listener {
				t.Errorf("parentRefs = %v", field(t, tr, "spec.parentRefs"))
			}
		})
	}
}
