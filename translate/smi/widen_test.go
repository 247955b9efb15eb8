package smi

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// undeclaredPort is a port no test workload declares. Istio denies it to a rule that lists
// ports, so TCP connections to it are tried too. HTTP requests to it are not: where
// HTTPRouteGroup has no port, the writer assumes the workloads serve only on their declared
// ports (MB3028).
const undeclaredPort = 1

// requests enumerates requests worth asking about a snapshot: from every known service account
// and one unknown, to every destination, on every declared port, as TCP and as HTTP with
// methods, paths and headers taken from the policies, and as TCP on an undeclared port.
func requests(s *model.Snapshot) []request {
	sources := append(s.Inventory.ServiceAccountsIn(""), sa{Namespace: "elsewhere", Name: "stranger"})
	var paths, headerNames, headerValues []string
	paths = []string{"/", "/metrics", "/metrics/x", "/api", "/api/v1/items", "/admin", "/x/admin", "/healthz", "/a/b/c"}
	literal := func(v string) string {
		v = strings.ReplaceAll(v, "{**}", "p/q")
		v = strings.ReplaceAll(v, "{*}", "seg")
		return strings.ReplaceAll(v, "*", "zz")
	}
	for _, p := range s.Access {
		for _, r := range p.Rules {
			for _, op := range r.To {
				for _, v := range append(slices.Clone(op.Paths), op.NotPaths...) {
					paths = append(paths, literal(v), literal(v)+"/more", "/pre"+literal(v))
				}
			}
			for _, c := range r.When {
				if name, ok := headerKey(c.Key); ok {
					headerNames = append(headerNames, name)
					for _, v := range append(slices.Clone(c.Values), c.NotValues...) {
						headerValues = append(headerValues, literal(v), "x"+literal(v))
					}
				}
			}
		}
	}
	headerSets := []map[string]string{{}}
	for _, n := range slices.Compact(slices.Sorted(slices.Values(headerNames))) {
		for _, v := range append(headerValues, "other") {
			headerSets = append(headerSets, map[string]string{n: v})
		}
	}
	var out []request
	for _, d := range s.Inventory.Workloads {
		dest := sa{Namespace: d.Namespace, Name: d.ServiceAccount}
		var ports []int32
		for _, p := range d.Ports {
			ports = append(ports, p.Port)
		}
		for _, src := range sources {
			out = append(out, request{source: src, dest: dest, port: undeclaredPort, ip: "10.1.2.3"})
			for _, port := range ports {
				base := request{source: src, dest: dest, port: port, ip: "10.1.2.3"}
				out = append(out, base)
				for _, m := range []string{"GET", "POST", "DELETE", "PURGE"} {
					for _, p := range paths {
						for _, h := range headerSets {
							for _, jwt := range []string{"", "issuer/subject"} {
								r := base
								r.http, r.method, r.path, r.headers, r.jwt = true, m, p, h, jwt
								out = append(out, r)
							}
						}
					}
				}
			}
		}
	}
	return out
}

// assertNeverWidens checks that every request the objects allow, under every consumer reading,
// is allowed by Istio on every workload of the destination service account (SMI cannot tell
// them apart). It returns how many requests SMI allowed, so tests can also check they are not
// vacuous.
func assertNeverWidens(t *testing.T, s *model.Snapshot, objs []*unstructured.Unstructured) int {
	t.Helper()
	allowed, failures := 0, 0
	for _, r := range requests(s) {
		for _, rd := range []reading{readOSM, readTraefik} {
			if !smiAllows(objs, r, rd) {
				continue
			}
			allowed++
			for _, w := range s.Inventory.Workloads {
				if w.Namespace != r.dest.Namespace || w.ServiceAccount != r.dest.Name {
					continue
				}
				if !istioAllows(s, w, r) {
					if failures++; failures <= 5 {
						t.Errorf("SMI (reading %d) allows a request Istio denies on %s/%s: %+v", rd, w.Namespace, w.Name, r)
					}
				} else if d := model.EvaluateWith(s, modelRequest(s, w, r), model.EvalOptions{PeerAuthentication: true}); !d.Allow && !trustDomainAliases {
					if failures++; failures <= 5 {
						t.Errorf("SMI (reading %d) allows a request model.Evaluate denies (%s) on %s/%s: %+v", rd, d, w.Namespace, w.Name, r)
					}
				}
			}
		}
	}
	if failures > 0 {
		t.Logf("objects:\n%s", dump(objs...))
	}
	return allowed
}

var regexCache sync.Map

// compile caches regexes: the evaluators compile the same few ones many times.
func compile(re string) *regexp.Regexp {
	if v, ok := regexCache.Load(re); ok {
		return v.(*regexp.Regexp)
	}
	c := regexp.MustCompile(re)
	regexCache.Store(re, c)
	return c
}

// modelRequest is r as the project's Istio evaluator (model.Evaluate) takes it, a second opinion.
func modelRequest(s *model.Snapshot, w model.Workload, r request) model.Request {
	m := model.Request{
		Namespace: w.Namespace, Labels: w.Labels, Port: r.port, TCP: !r.http, Attached: attachedServices(s, w),
		Principal: model.Peer(s.TrustDomain, r.source.Namespace, r.source.Name), SourceIP: r.ip,
		RequestPrincipal: r.jwt,
	}
	if r.http {
		m.Method, m.Path, m.Headers, m.Host = r.method, r.path, r.headers, r.headers["host"]
	}
	return m
}

func attachedServices(s *model.Snapshot, w model.Workload) []model.ObjectRef {
	var out []model.ObjectRef
	for _, svc := range s.Inventory.WorkloadServices(w) {
		out = append(out, model.ObjectRef{Kind: "Service", Namespace: svc.Namespace, Name: svc.Name})
	}
	return out
}
