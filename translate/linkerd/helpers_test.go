package linkerd

import (
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/internal/crdvalidate"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// Builders for snapshots written by hand.

func workload(ns, name, sa string, labels map[string]string, ports ...int32) model.Workload {
	wl := model.Workload{
		Origin:    model.Origin{Object: model.ObjectRef{Kind: "Deployment", Namespace: ns, Name: name}},
		Namespace: ns, Name: name, Kind: "Deployment", Labels: labels, ServiceAccount: sa,
	}
	for _, p := range ports {
		wl.Ports = append(wl.Ports, model.ContainerPort{Port: p, Protocol: "TCP"})
	}
	return wl
}

func policy(ns, name string, action model.Action, selector map[string]string, rules ...model.AccessRule) model.AccessPolicy {
	p := model.AccessPolicy{
		Origin:    model.Origin{Object: model.ObjectRef{APIVersion: "security.istio.io/v1", Kind: "AuthorizationPolicy", Namespace: ns, Name: name}},
		Namespace: ns, Name: name, Action: action,
		Target: model.Target{Namespace: ns, Selector: selector, MeshWide: ns == "istio-system", Field: "spec.selector"},
		Rules:  rules,
	}
	for i := range p.Rules {
		p.Rules[i].Field = "spec.rules[" + itoa(i) + "]"
		for j := range p.Rules[i].From {
			p.Rules[i].From[j].Field = p.Rules[i].Field + ".from[" + itoa(j) + "].source"
		}
		for j := range p.Rules[i].To {
			p.Rules[i].To[j].Field = p.Rules[i].Field + ".to[" + itoa(j) + "].operation"
		}
		for j := range p.Rules[i].When {
			p.Rules[i].When[j].Field = p.Rules[i].Field + ".when[" + itoa(j) + "]"
		}
	}
	return p
}

func peerAuth(ns, name string, mode model.MTLSMode, selector map[string]string) model.PeerAuthentication {
	return model.PeerAuthentication{
		Origin:    model.Origin{Object: model.ObjectRef{APIVersion: "security.istio.io/v1", Kind: "PeerAuthentication", Namespace: ns, Name: name}},
		Namespace: ns, Name: name, Mode: mode, Selector: selector, MeshWide: ns == "istio-system",
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func snapshot(workloads []model.Workload, access []model.AccessPolicy, peers ...model.PeerAuthentication) *model.Snapshot {
	s := &model.Snapshot{
		Inventory:           model.Inventory{Workloads: workloads},
		Access:              access,
		PeerAuthentications: peers,
		RootNamespace:       "istio-system", ClusterDomain: "cluster.local", TrustDomain: "cluster.local",
	}
	for _, wl := range workloads {
		s.Inventory.Namespaces = append(s.Inventory.Namespaces, wl.Namespace)
	}
	s.Inventory.Sort()
	return s
}

func from(sources ...model.Source) []model.Source { return sources }
func to(ops ...model.Operation) []model.Operation { return ops }

// Validation against the official CRDs.

var (
	validatorOnce sync.Once
	validator     *crdvalidate.Validator
	validatorErr  error
)

// officialCRDs loads Linkerd's CRDs (../shared/crds/linkerd) and the Gateway API standard CRDs
// of the pinned module; it returns nil and a reason when either is unavailable.
func officialCRDs() (*crdvalidate.Validator, error) {
	validatorOnce.Do(func() {
		linkerd, err := crdvalidate.SharedCRDs("linkerd/linkerd2-main-2026-08")
		if err != nil {
			validatorErr = err
			return
		}
		gw, err := crdvalidate.ModuleDir("sigs.k8s.io/gateway-api")
		if err != nil {
			validatorErr = err
			return
		}
		validator, validatorErr = crdvalidate.Load(linkerd, filepath.Join(gw, "config", "crd", "standard"))
	})
	return validator, validatorErr
}

// run writes snap for Linkerd and checks every emitted policy.linkerd.io and
// gateway.networking.k8s.io object against the official CRDs (when they are available).
func run(t *testing.T, snap *model.Snapshot) ([]*unstructured.Unstructured, model.Findings) {
	t.Helper()
	objs, findings := Write(snap, emit.Options{})
	validate(t, objs)
	admit(t, objs)
	return objs, findings
}

// admit applies the checks of Linkerd's admission webhook that the CRDs cannot: no two Servers
// of a namespace on one port with identical selectors or an empty one.
func admit(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	servers := ofKind(objs, "Server")
	for i, a := range servers {
		for _, b := range servers[i+1:] {
			pa, _, _ := unstructured.NestedFieldNoCopy(a.Object, "spec", "port")
			pb, _, _ := unstructured.NestedFieldNoCopy(b.Object, "spec", "port")
			if a.GetNamespace() != b.GetNamespace() || pa != pb {
				continue
			}
			sa, _, _ := unstructured.NestedMap(a.Object, "spec", "podSelector")
			sb, _, _ := unstructured.NestedMap(b.Object, "spec", "podSelector")
			if len(sa) == 0 || len(sb) == 0 || reflect.DeepEqual(sa, sb) {
				t.Errorf("Linkerd's admission refuses Server %s beside %s: same port, overlapping selectors", b.GetName(), a.GetName())
			}
		}
	}
}

func validate(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	v, err := officialCRDs()
	if err != nil {
		return // TestEmittedObjectsMatchTheOfficialCRDs reports the skip
	}
	for _, o := range objs {
		g := o.GroupVersionKind().Group
		if g != "policy.linkerd.io" && g != "gateway.networking.k8s.io" {
			continue
		}
		if errs := v.Validate(o); len(errs) > 0 {
			t.Errorf("%s %s/%s is not valid for the official CRDs: %v", o.GetKind(), o.GetNamespace(), o.GetName(), errs.ToAggregate())
		}
	}
}

// Lookups.

func ofKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func names(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetNamespace()+"/"+o.GetName())
	}
	return out
}

func codes(fs model.Findings) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Code))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func hasCode(fs model.Findings, code model.Code) bool {
	return slices.ContainsFunc(fs, func(f model.Finding) bool { return f.Code == code })
}

func findingsOf(fs model.Findings, code model.Code) model.Findings {
	var out model.Findings
	for _, f := range fs {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

var emptyOpts = emit.Options{}
