package gatewayapi

import (
	"testing"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func TestTCPRoutes(t *testing.T) {
	snap := func(rules ...model.L4Rule) *model.Snapshot {
		opts := []vsOpt{host("data", "db")}
		for _, r := range rules {
			opts = append(opts, tcp(r))
		}
		return snapshot(svc("data", "db", port("tcp-main", 5432), port("tcp-replica", 5433)), vs("data", "db", opts...))
	}
	t.Run("the first rule in force on each port becomes that port's TCPRoute", func(t *testing.T) {
		r := write(t, snap(
			model.L4Rule{Matches: []model.L4Match{{Port: 5433}}, Backends: []model.Backend{backend("data", "db", 5433, 100, "replica")}},
			model.L4Rule{Backends: []model.Backend{backend("data", "db", 0, 90, "v1"), backend("data", "db", 0, 10, "v2")}},
		), emit.Options{Mesh: MeshIstio})
		replica := r.get("TCPRoute", "data", "db-tcp-5433")
		if field(t, replica, "spec.parentRefs.0.port") != int64(5433) || field(t, replica, "spec.rules.0.backendRefs.0.name") != "db-replica" {
			t.Errorf("replica route = %v", replica.Object["spec"])
		}
		main := r.get("TCPRoute", "data", "db-tcp-5432")
		if field(t, main, "spec.parentRefs.0.port") != int64(5432) || field(t, main, "spec.rules.0.backendRefs.1.weight") != int64(10) ||
			field(t, main, "spec.rules.0.backendRefs.1.port") != int64(5432) {
			t.Errorf("main route = %v", main.Object["spec"])
		}
	})
	t.Run("a rule chosen by source labels cannot be written for its port", func(t *testing.T) {
		r := write(t, snap(
			model.L4Rule{Matches: []model.L4Match{{SourceLabels: map[string]string{"app": "etl"}}}, Backends: []model.Backend{backend("data", "db", 0, 100, "replica")}},
			model.L4Rule{Backends: []model.Backend{backend("data", "db", 0, 100)}},
		), emit.Options{})
		r.want(model.CodeGWL4NotWritten, model.CodeGWL4MeshSupport)
		if r.count("TCPRoute") != 0 {
			t.Errorf("objects = %s", r.names())
		}
	})
	t.Run("Linkerd does not read TCPRoute v1", func(t *testing.T) {
		r := write(t, snap(model.L4Rule{Backends: []model.Backend{backend("data", "db", 0, 100)}}), emit.Options{Mesh: MeshLinkerd})
		r.want(model.CodeGWKindNotRead)
		if len(r.objs) != 0 {
			t.Errorf("objects = %s", r.names())
		}
	})
}

func TestTLSRoutesKeepFirstMatchBySNI(t *testing.T) {
	snap := snapshot(svc("edge", "proxy", port("tls", 443)),
		vs("edge", "proxy", host("edge", "proxy"),
			tls(model.L4Rule{Matches: []model.L4Match{{SNIHosts: []string{"*.example.com"}}}, Backends: []model.Backend{backend("edge", "proxy", 0, 100, "wild")}}),
			tls(model.L4Rule{Matches: []model.L4Match{{SNIHosts: []string{"a.example.com", "b.other.com"}}}, Backends: []model.Backend{backend("edge", "proxy", 0, 100, "ab")}}),
		))
	r := write(t, snap, emit.Options{Mesh: MeshIstio})
	first := r.get("TLSRoute", "edge", "proxy-tls-0")
	second := r.get("TLSRoute", "edge", "proxy-tls-1")
	if field(t, first, "spec.hostnames.0") != "*.example.com" {
		t.Errorf("first = %v", first.Object["spec"])
	}
	// a.example.com goes to the wildcard rule in Istio; TLSRoute would prefer the exact host
	if length(t, second, "spec.hostnames") != 1 || field(t, second, "spec.hostnames.0") != "b.other.com" {
		t.Errorf("second = %v", second.Object["spec"])
	}
}
