package istiopolicy

import (
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func origin(kind, ns, name string) model.Origin {
	return model.Origin{Object: model.ObjectRef{Kind: kind, Namespace: ns, Name: name}}
}

func writeYAML(t *testing.T, snap *model.Snapshot) (string, model.Findings) {
	t.Helper()
	objs, fs := Write(snap, emit.Options{})
	var docs []string
	for _, o := range objs {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	return strings.Join(docs, "---\n"), fs
}

func TestWriteAuthorizationPolicy(t *testing.T) {
	snap := &model.Snapshot{RootNamespace: "istio-system", Access: []model.AccessPolicy{{
		Origin: origin("ServiceRoleBinding", "default", "bind"), Namespace: "default", Name: "bind-reviews",
		Action: model.Allow, DryRun: true,
		Target: model.Target{Namespace: "default", Selector: map[string]string{"app": "reviews"}},
		Rules: []model.AccessRule{
			{From: []model.Source{{Principals: []string{"cluster.local/ns/default/sa/a"}}, {Namespaces: []string{"x"}, NotIPBlocks: []string{"1.2.3.4"}}},
				To:   []model.Operation{{Methods: []string{"GET"}, NotPaths: []string{"/admin*"}}},
				When: []model.Condition{{Key: "request.headers[x-a]", Values: []string{"1"}, NotValues: []string{"2"}}}},
			{From: []model.Source{{Principals: []string{"p"}}, {AnyIncludingUnauthenticated: true}}, To: []model.Operation{{Ports: []string{"9080"}}}},
		},
	}}}
	got, fs := writeYAML(t, snap)
	want := `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  annotations:
    istio.io/dry-run: "true"
    meshbridge.io/source: ServiceRoleBinding/default/bind
  name: bind-reviews
  namespace: default
spec:
  action: ALLOW
  rules:
  - from:
    - source:
        principals:
        - cluster.local/ns/default/sa/a
    - source:
        namespaces:
        - x
        notIpBlocks:
        - 1.2.3.4
    to:
    - operation:
        methods:
        - GET
        notPaths:
        - /admin*
    when:
    - key: request.headers[x-a]
      notValues:
      - "2"
      values:
      - "1"
  - to:
    - operation:
        ports:
        - "9080"
  selector:
    matchLabels:
      app: reviews
`
	if got != want || len(fs) != 0 {
		t.Errorf("got\n%s\nwant\n%s\nfindings %v", got, want, fs)
	}
}

func TestWriteShapes(t *testing.T) {
	pol := func(p model.AccessPolicy) *model.Snapshot {
		if p.Namespace == "" {
			p.Namespace = "foo"
		}
		p.Target.Namespace = p.Namespace
		p.Origin = origin("AuthorizationPolicy", p.Namespace, p.Name)
		return &model.Snapshot{RootNamespace: "istio-system", Access: []model.AccessPolicy{p}}
	}
	cases := []struct {
		name string
		snap *model.Snapshot
		want string // a fragment of the output
		code model.Code
	}{
		{"an ALLOW without rules allows nothing", pol(model.AccessPolicy{Name: "p", Action: model.Allow}), "spec:\n  action: ALLOW\n", ""},
		{"an empty rule is written as {}", pol(model.AccessPolicy{Name: "p", Action: model.Deny, Rules: []model.AccessRule{{}}}), "rules:\n  - {}\n", ""},
		{"CUSTOM keeps its provider", pol(model.AccessPolicy{Name: "p", Action: model.Custom, Provider: "ext", Rules: []model.AccessRule{{}}}), "provider:\n    name: ext\n", ""},
		{"targetRefs keep their group", pol(model.AccessPolicy{Name: "p", Target: model.Target{Refs: []model.ObjectRef{{APIVersion: "gateway.networking.k8s.io", Kind: "Gateway", Name: "gw"}}}}),
			"targetRefs:\n  - group: gateway.networking.k8s.io\n    kind: Gateway\n    name: gw\n", ""},
		{"a DENY without rules is not written", pol(model.AccessPolicy{Name: "p", Action: model.Deny}), "", model.CodeIstioPolicyMatchesNothing},
		{"a mesh-wide policy goes to the root namespace", pol(model.AccessPolicy{Name: "p", Target: model.Target{MeshWide: true}}), "namespace: istio-system\n", ""},
		{"a root-namespace ALLOW not meant mesh-wide allows nothing", pol(model.AccessPolicy{Namespace: "istio-system", Name: "p", Rules: []model.AccessRule{{}}}),
			"spec:\n  action: ALLOW\n", model.CodeIstioRootNamespaceScope},
		{"trustDomains are written with a warning", pol(model.AccessPolicy{Name: "p", Rules: []model.AccessRule{{From: []model.Source{{TrustDomains: []string{"td"}}}}}}),
			"trustDomains:\n", model.CodeIstioTrustDomains},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, fs := writeYAML(t, c.snap)
			if !strings.Contains(got, c.want) || (c.want == "" && got != "") {
				t.Errorf("output\n%s\ndoes not contain\n%s", got, c.want)
			}
			if (c.code == "") != (len(fs) == 0) || (c.code != "" && fs[0].Code != c.code) {
				t.Errorf("findings %v, want %q", fs, c.code)
			}
			if c.code == model.CodeIstioRootNamespaceScope && strings.Contains(got, "rules") {
				t.Errorf("the narrowed policy kept its rules:\n%s", got)
			}
		})
	}
}

func TestWriteNamesAreUniqueAndStable(t *testing.T) {
	p := model.AccessPolicy{Namespace: "foo", Name: "Same.Name", Action: model.Allow, Target: model.Target{Namespace: "foo"}}
	a, b := p, p
	a.Origin, b.Origin = origin("ServiceRoleBinding", "foo", "a"), origin("AuthorizationPolicy", "foo", "b")
	snap := &model.Snapshot{RootNamespace: "istio-system", Access: []model.AccessPolicy{a, b}}
	objs, fs := Write(snap, emit.Options{})
	if len(objs) != 2 || objs[0].GetName() == objs[1].GetName() || len(fs) != 1 || fs[0].Code != model.CodeIstioNameClash {
		t.Fatalf("objects %v findings %v", objs, fs)
	}
	again, _ := Write(snap, emit.Options{})
	if !reflect.DeepEqual(objs, again) {
		t.Error("Write is not deterministic")
	}
}

func TestWritePeerAuthentication(t *testing.T) {
	snap := &model.Snapshot{RootNamespace: "istio-system", PeerAuthentications: []model.PeerAuthentication{
		{Origin: origin("PeerAuthentication", "istio-system", "default"), Namespace: "istio-system", Name: "default", MeshWide: true, Mode: model.MTLSStrict},
		{Origin: origin("PeerAuthentication", "foo", "web"), Namespace: "foo", Name: "web", Selector: map[string]string{"app": "web"},
			Mode: model.MTLSUnset, PortModes: map[int32]model.MTLSMode{8080: model.MTLSDisable}},
	}}
	got, _ := writeYAML(t, snap)
	for _, want := range []string{"mtls:\n    mode: STRICT\n", "portLevelMtls:\n    \"8080\":\n      mode: DISABLE\n", "matchLabels:\n      app: web\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output\n%s\nlacks\n%s", got, want)
		}
	}
	if strings.Count(got, "mtls:") != 1 {
		t.Errorf("an UNSET mode was written:\n%s", got)
	}
}
