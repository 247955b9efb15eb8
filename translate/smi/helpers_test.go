package smi

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/internal/crdvalidate"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// wl declares a workload: namespace, name, service account, labels and container ports.
func wl(ns, name, account string, labels map[string]string, ports ...int32) model.Workload {
	w := model.Workload{
		Origin:    model.Origin{Object: model.ObjectRef{Kind: "Deployment", Namespace: ns, Name: name}},
		Namespace: ns, Name: name, Kind: "Deployment", Labels: labels, ServiceAccount: account,
	}
	for _, p := range ports {
		w.Ports = append(w.Ports, model.ContainerPort{Port: p})
	}
	return w
}

// snapshot builds a sorted snapshot from workloads and policies.
func snapshot(workloads []model.Workload, policies ...model.AccessPolicy) *model.Snapshot {
	s := &model.Snapshot{RootNamespace: "istio-system", ClusterDomain: "cluster.local", TrustDomain: "cluster.local"}
	s.Inventory.Workloads = workloads
	for _, w := range workloads {
		s.Inventory.Namespaces = append(s.Inventory.Namespaces, w.Namespace)
	}
	s.Inventory.Sort()
	for i := range policies {
		p := &policies[i]
		if p.Origin.Object.Kind == "" {
			p.Origin = model.Origin{Object: model.ObjectRef{APIVersion: "security.istio.io/v1", Kind: "AuthorizationPolicy", Namespace: p.Namespace, Name: p.Name}}
		}
		if p.Action == "" {
			p.Action = model.Allow
		}
		if p.Target.Namespace == "" {
			p.Target.Namespace = p.Namespace
		}
		p.Target.MeshWide = p.Target.MeshWide || p.Namespace == s.RootNamespace
		for ri := range p.Rules {
			r := &p.Rules[ri]
			r.Field = fmt.Sprintf("spec.rules[%d]", ri)
			for si := range r.From {
				r.From[si].Field = fmt.Sprintf("%s.from[%d].source", r.Field, si)
			}
			for oi := range r.To {
				r.To[oi].Field = fmt.Sprintf("%s.to[%d].operation", r.Field, oi)
			}
			for ci := range r.When {
				r.When[ci].Field = fmt.Sprintf("%s.when[%d]", r.Field, ci)
			}
		}
	}
	s.Access = policies
	return s
}

// strict adds a mesh-wide STRICT PeerAuthentication.
func strict(s *model.Snapshot) *model.Snapshot {
	s.PeerAuthentications = append(s.PeerAuthentications, model.PeerAuthentication{
		Origin:    model.Origin{Object: model.ObjectRef{Kind: "PeerAuthentication", Namespace: "istio-system", Name: "default"}},
		Namespace: "istio-system", Name: "default", MeshWide: true, Mode: model.MTLSStrict,
	})
	return s
}

var meshes = []string{"osm", "traefik-mesh", "smi"}

// crdDirs are the consumers' CRDs in ../shared/crds/smi.
var crdDirs = map[string]string{
	"osm":          "smi/osm-v1.2.4",
	"traefik-mesh": "smi/smi-sdk-go-main-apiextensions-v1",
	"smi":          "smi/smi-sdk-go-main-apiextensions-v1",
	"linkerd-smi":  "smi/linkerd-smi-v0.2.7",
}

var validators sync.Map

// validator returns the CRD validator for mesh, or skips. Traefik Mesh installs v1beta1 CRDs
// without structural schemas (helm/chart/mesh/crds in traefik/mesh) that serve access
// v1alpha2, specs v1alpha3 and split v1alpha3; the smi-sdk-go v1 CRDs hold schemas for those
// versions with served: false, so the test serves them to check the fields we write.
func validator(t *testing.T, mesh string) *crdvalidate.Validator {
	t.Helper()
	if v, ok := validators.Load(mesh); ok {
		return v.(*crdvalidate.Validator)
	}
	dir, err := crdvalidate.SharedCRDs(crdDirs[mesh])
	if err != nil {
		t.Skipf("consumer CRDs not available, cannot validate %s output: %v", mesh, err)
	}
	crds, err := crdvalidate.ReadCRDs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if mesh == "traefik-mesh" {
		for _, crd := range crds {
			for i := range crd.Spec.Versions {
				v := &crd.Spec.Versions[i]
				v.Served = v.Name == map[string]string{"TrafficTarget": "v1alpha2", "HTTPRouteGroup": "v1alpha3", "TrafficSplit": "v1alpha3"}[crd.Spec.Names.Kind]
			}
		}
	}
	v, err := crdvalidate.New(crds...)
	if err != nil {
		t.Fatal(err)
	}
	validators.Store(mesh, v)
	return v
}

// validate checks every object against the consumer's CRDs. Core objects (generated Services)
// have no CRD; TCPRoute v1alpha3 has no schema anywhere (Traefik's CRD declares none).
func validate(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
	t.Helper()
	v := validator(t, mesh)
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		if gvk.Group == "" || gvk.Kind == "TCPRoute" && gvk.Version == "v1alpha3" {
			continue
		}
		if errs := v.Validate(o); len(errs) > 0 {
			t.Errorf("%s %s/%s is not valid for %s:\n%v\n%s", o.GetKind(), o.GetNamespace(), o.GetName(), mesh, errs.ToAggregate(), dump(o))
		}
	}
}

func dump(objs ...*unstructured.Unstructured) string {
	var b strings.Builder
	for _, o := range objs {
		y, _ := yaml.Marshal(o.Object)
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.String()
}

// write runs the writer, validates its output and checks it is deterministic.
func write(t *testing.T, s *model.Snapshot, mesh string) ([]*unstructured.Unstructured, model.Findings) {
	t.Helper()
	objs, fs := Write(s, emit.Options{Mesh: mesh})
	again, _ := Write(s, emit.Options{Mesh: mesh})
	if dump(objs...) != dump(again...) {
		t.Errorf("two runs gave different output")
	}
	validate(t, mesh, objs)
	return objs, fs
}

// codes lists the finding codes, sorted and unique.
func codes(fs model.Findings) []model.Code {
	var out []model.Code
	for _, f := range fs {
		out = append(out, f.Code)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func hasCode(fs model.Findings, c model.Code) bool { return slices.Contains(codes(fs), c) }

func kinds(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func emitOptions(mesh string) emit.Options { return emit.Options{Mesh: mesh} }
