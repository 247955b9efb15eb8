package linkerd

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/meshbridge/meshbridge/model"
)

func runtimeConvert(m map[string]any, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(m, into)
}

// compare decides every request class of snap (model.RequestClasses) with Istio's procedure
// (model.Evaluate, plus PeerAuthentication) and with Linkerd's on objs. It fails the test on
// any request Linkerd may allow and Istio denies, and returns those Istio allows and Linkerd
// may deny (narrowed access), rendered. Requests to pods the inventory does not hold, or to
// ports they are not taken to listen on (neither declared nor a Service's target), are
// skipped: meshbridge assumes they are not served (MB5008 and MB5016 say so).
func compare(t *testing.T, snap *model.Snapshot, objs []*unstructured.Unstructured) (narrowed []string) {
	t.Helper()
	reqs := model.RequestClasses(snap)
	if len(reqs) == 0 {
		t.Fatal("no request classes")
	}
	checked := 0
	for _, req := range reqs {
		wl, ok := destination(snap, req)
		if !ok || len(req.Attached) > 0 || !serviceAccountPrincipal(req.Principal) || (!req.TCP && !strings.HasPrefix(req.Path, "/")) {
			continue // not a request a Linkerd proxy can see
		}
		checked++
		istioReq := req
		mode := testMTLSMode(snap, wl, req.Port)
		if mode == model.MTLSDisable {
			istioReq.Principal = "" // Istio sees no identity without mTLS
		}
		if testIstioTCP(snap, wl, req.Port) {
			istioReq.TCP = true // a port its Services declare TCP: Istio sees no HTTP
			istioReq.Method, istioReq.Path, istioReq.Headers = "", "", nil
		}
		istio := model.Evaluate(snap, istioReq).Allow && !(mode == model.MTLSStrict && req.Principal == "")
		lk := linkerdDecide(t, objs, req, snap.TrustDomain)
		if lk.allowSome && !istio {
			t.Errorf("widened: Linkerd allows and Istio denies %s (%s; Istio %s)", render(req), lk.why, model.Evaluate(snap, istioReq))
		}
		if istio && !lk.allowAll {
			narrowed = append(narrowed, render(req))
		}
	}
	if checked == 0 {
		t.Fatal("no request reached a known workload port")
	}
	slices.Sort(narrowed)
	return slices.Compact(narrowed)
}

// serviceAccountPrincipal reports whether p is empty (plain text) or a service account's
// identity: Linkerd identities are nothing else, so other principals cannot reach a Linkerd
// proxy.
func serviceAccountPrincipal(p string) bool {
	parts := strings.Split(p, "/")
	return p == "" || len(parts) == 5 && parts[1] == "ns" && parts[3] == "sa" && parts[0] != "" && parts[2] != "" && parts[4] != ""
}

// destination returns the inventory workload a request goes to, if the workload is taken to
// listen on its port: declared, or the numeric targetPort of a Service that selects it.
func destination(snap *model.Snapshot, req model.Request) (model.Workload, bool) {
	for _, wl := range snap.Inventory.Workloads {
		if wl.Namespace != req.Namespace || !maps.Equal(wl.Labels, req.Labels) {
			continue
		}
		if slices.ContainsFunc(wl.Ports, func(p model.ContainerPort) bool { return p.Port == req.Port }) {
			return wl, true
		}
		for _, svc := range snap.Inventory.Services {
			if svc.Namespace == wl.Namespace && len(svc.Selector) > 0 && model.Selects(svc.Selector, wl.Labels) &&
				slices.ContainsFunc(svc.Ports, func(sp model.ServicePort) bool { return sp.TargetPortName == "" && sp.TargetPort == req.Port }) {
				return wl, true
			}
		}
	}
	return model.Workload{}, false
}

// testIstioTCP reports whether a Service forwards to the workload's port under a name that
// declares TCP (the only way these tests declare it), written independently of the writer.
func testIstioTCP(snap *model.Snapshot, wl model.Workload, port int32) bool {
	for _, svc := range snap.Inventory.Services {
		for _, sp := range svc.Ports {
			named := slices.ContainsFunc(wl.Ports, func(p model.ContainerPort) bool { return p.Port == port && p.Name != "" && p.Name == sp.TargetPortName })
			if svc.Namespace == wl.Namespace && model.Selects(svc.Selector, wl.Labels) && (sp.TargetPort == port || named) && strings.HasPrefix(sp.Name, "tcp") {
				return true
			}
		}
	}
	return false
}

// testMTLSMode is PeerAuthentication precedence, written independently of the writer's:
// workload selector, then namespace, then mesh; port-level modes on workload policies.
func testMTLSMode(snap *model.Snapshot, wl model.Workload, port int32) model.MTLSMode {
	levels := [3]model.MTLSMode{}
	for _, pa := range snap.PeerAuthentications {
		mode := pa.Mode
		lvl := -1
		switch {
		case pa.Namespace == wl.Namespace && len(pa.Selector) > 0 && model.Selects(pa.Selector, wl.Labels):
			lvl = 0
			if m, ok := pa.PortModes[port]; ok && m != model.MTLSUnset {
				mode = m
			}
		case pa.Namespace == wl.Namespace && len(pa.Selector) == 0:
			lvl = 1
		case pa.Namespace == snap.RootNamespace && len(pa.Selector) == 0:
			lvl = 2
		}
		if lvl >= 0 && levels[lvl] == "" && mode != model.MTLSUnset && mode != "" {
			levels[lvl] = mode
		}
	}
	for _, m := range levels {
		if m != "" {
			return m
		}
	}
	return model.MTLSPermissive
}

func render(r model.Request) string {
	s := fmt.Sprintf("%s%v:%d from %q", r.Namespace, r.Labels, r.Port, r.Principal)
	if r.SourceIP != "" {
		s += " ip " + r.SourceIP
	}
	if r.TCP {
		return s + " tcp"
	}
	s += " " + r.Method + " " + r.Path
	for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
		s += " " + k + "=" + r.Headers[k]
	}
	return s
}
