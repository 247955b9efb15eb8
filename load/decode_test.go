package load

import (
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
)

func objRef(kind, ns, name string) model.ObjectRef {
	return model.ObjectRef{Kind: kind, Namespace: ns, Name: name}
}

// decodeOK decodes input as input.yaml and fails the test on an error.
func decodeOK(t *testing.T, input string, opts Options) (*inventory.Inventory, model.Findings) {
	t.Helper()
	inv := &inventory.Inventory{}
	fs, err := Decode(inv, "input.yaml", []byte(input), opts)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	for _, f := range fs {
		if f.Stage != Stage {
			t.Errorf("finding %s has stage %q, want %q", f, f.Stage, Stage)
		}
	}
	return inv, fs
}

// codes lists the findings as "CODE field" strings, in order.
func codes(fs model.Findings) []string {
	var out []string
	for _, f := range fs {
		s := string(f.Code)
		if f.Field != "" {
			s += " " + f.Field
		}
		out = append(out, s)
	}
	return out
}

func wantCodes(t *testing.T, fs model.Findings, want ...string) {
	t.Helper()
	if got := codes(fs); !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q\n%s", got, want, fs)
	}
}

// goodInputs are inputs that load, with what each must give.
var goodInputs = []struct {
	name, input string
	check       func(t *testing.T, inv *inventory.Inventory, fs model.Findings)
}{
	{
		name: "a VirtualService at v1alpha3 is stored as the v1 type with the apiVersion as written",
		input: "apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata:\n  name: reviews\n  namespace: shop\n" +
			"spec:\n  hosts: [reviews]\n  http:\n  - route:\n    - destination: {host: reviews, subset: v1}\n      weight: 75\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			if len(inv.VirtualServices) != 1 {
				t.Fatalf("got %d VirtualServices, want 1", len(inv.VirtualServices))
			}
			vs := inv.VirtualServices[0]
			if vs.APIVersion != "networking.istio.io/v1alpha3" || vs.Kind != "VirtualService" {
				t.Errorf("TypeMeta = %s %s", vs.APIVersion, vs.Kind)
			}
			if vs.Namespace != "shop" || vs.Name != "reviews" {
				t.Errorf("object %s/%s", vs.Namespace, vs.Name)
			}
			if w := vs.Spec.GetHttp()[0].GetRoute()[0].GetWeight(); w != 75 {
				t.Errorf("weight %d, want 75", w)
			}
			at := inv.Locations[inventory.Key(model.ObjectRef{Kind: "VirtualService", Namespace: "shop", Name: "reviews"})]
			if at != (model.Location{File: "input.yaml", Doc: 1, Line: 1}) {
				t.Errorf("location %v", at)
			}
		},
	},
	{
		name: "every served Istio version is read",
		input: "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: a}\nspec: {host: a}\n---\n" +
			"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {selector: {istio: ingressgateway}}\n---\n" +
			"apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: p}\nspec: {action: DENY}\n---\n" +
			"apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: pa}\nspec: {mtls: {mode: STRICT}}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			if len(inv.DestinationRules) != 1 || inv.DestinationRules[0].Spec.GetHost() != "a" {
				t.Errorf("DestinationRules %v", inv.DestinationRules)
			}
			if len(inv.Gateways) != 1 || inv.Gateways[0].Spec.GetSelector()["istio"] != "ingressgateway" {
				t.Errorf("Gateways %v", inv.Gateways)
			}
			if len(inv.AuthorizationPolicies) != 1 || inv.AuthorizationPolicies[0].Spec.GetAction().String() != "DENY" ||
				inv.AuthorizationPolicies[0].APIVersion != "security.istio.io/v1beta1" {
				t.Errorf("AuthorizationPolicies %v", inv.AuthorizationPolicies)
			}
			if len(inv.PeerAuthentications) != 1 || inv.PeerAuthentications[0].Spec.GetMtls().GetMode().String() != "STRICT" {
				t.Errorf("PeerAuthentications %v", inv.PeerAuthentications)
			}
			if inv.Len() != 4 {
				t.Errorf("inventory holds %d objects, want 4", inv.Len())
			}
		},
	},
	{
		name: "proto field names and JSON field names are both read",
		input: apHead + "  rules:\n  - to:\n    - operation:\n        not_paths: [/admin]\n        methods: [GET]\n" +
			"    from:\n    - source:\n        requestPrincipals: ['*']\n        not_namespaces: [x]\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			r := inv.AuthorizationPolicies[0].Spec.GetRules()[0]
			if got := r.GetTo()[0].GetOperation().GetNotPaths(); !slices.Equal(got, []string{"/admin"}) {
				t.Errorf("notPaths %v", got)
			}
			if got := r.GetFrom()[0].GetSource().GetNotNamespaces(); !slices.Equal(got, []string{"x"}) {
				t.Errorf("notNamespaces %v", got)
			}
		},
	},
	{
		name:  "an integer written as a string is read, as protojson reads it",
		input: vsHead + "  http:\n  - route:\n    - destination: {host: a}\n      weight: \"60\"\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			if w := inv.VirtualServices[0].Spec.GetHttp()[0].GetRoute()[0].GetWeight(); w != 60 {
				t.Errorf("weight %d", w)
			}
		},
	},
	{
		name: "the workload kinds are read",
		input: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: a}, ports: [{port: 80, targetPort: http}]}\n---\n" +
			"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\n" +
			"apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, namespace: ignored}\n---\n" +
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {serviceAccountName: sa, containers: [{name: c, image: i}]}\n---\n" +
			"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}}}\n---\n" +
			"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: st}\n---\n" +
			"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			if len(inv.Services) != 1 || inv.Services[0].Spec.Ports[0].TargetPort.StrVal != "http" || inv.Services[0].APIVersion != "v1" {
				t.Errorf("Services %v", inv.Services)
			}
			if len(inv.ServiceAccounts) != 1 || len(inv.Pods) != 1 || inv.Pods[0].Spec.ServiceAccountName != "sa" {
				t.Errorf("ServiceAccounts %v, Pods %v", inv.ServiceAccounts, inv.Pods)
			}
			if len(inv.Deployments) != 1 || inv.Deployments[0].Spec.Template.Labels["app"] != "a" || inv.Deployments[0].Kind != "Deployment" {
				t.Errorf("Deployments %v", inv.Deployments)
			}
			if len(inv.StatefulSets) != 1 || len(inv.DaemonSets) != 1 {
				t.Errorf("StatefulSets %v, DaemonSets %v", inv.StatefulSets, inv.DaemonSets)
			}
			if len(inv.Namespaces) != 1 || inv.Namespaces[0].Namespace != "" {
				t.Errorf("Namespaces %v: a cluster-scoped object keeps no namespace", inv.Namespaces)
			}
			if _, ok := inv.Locations[objRef("Namespace", "", "shop")]; !ok {
				t.Errorf("no location for Namespace shop: %v", inv.Locations)
			}
		},
	},
	{
		name:  "an object without a namespace is given the default namespace",
		input: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			if ns := inv.Services[0].Namespace; ns != "default" {
				t.Errorf("namespace %q, want default", ns)
			}
		},
	},
	{
		name: "every document of a multi-document file is read with its index and first line",
		input: "# a comment before the first separator is not a document\n---\n" +
			"apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n\n# comments only\n---\n" +
			"# leading comment\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n---\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			for name, want := range map[string]model.Location{
				"a": {File: "input.yaml", Doc: 1, Line: 3},
				"b": {File: "input.yaml", Doc: 3, Line: 11},
			} {
				if got := inv.Locations[objRef("Service", "default", name)]; got != want {
					t.Errorf("Service %s at %v, want %v", name, got, want)
				}
			}
		},
	},
	{
		name:  "Windows line endings, a byte order mark and document end markers are read",
		input: "\ufeffapiVersion: v1\r\nkind: Service\r\nmetadata: {name: a}\r\n...\r\n---\r\napiVersion: v1\r\nkind: Service\r\nmetadata: {name: b}\r\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			if got := inv.Locations[objRef("Service", "default", "b")]; got != (model.Location{File: "input.yaml", Doc: 2, Line: 6}) {
				t.Errorf("Service b at %v", got)
			}
			if len(inv.Services) != 2 {
				t.Errorf("Services %v", inv.Services)
			}
		},
	},
	{
		name:  "a file of comments only is read without finding",
		input: "# nothing here\n\n---\n# still nothing\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			if inv.Len() != 0 {
				t.Errorf("inventory holds %d objects", inv.Len())
			}
		},
	},
	{
		name: "the items of a List are read, each at its own line",
		input: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n" +
			"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n" +
			"- apiVersion: networking.istio.io/v1\n  kind: VirtualService\n  metadata: {name: v}\n  spec: {hostz: [a]}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs, "MB1001", "MB1003 spec.hostz")
			if fs[0].Origin.At.Line != 7 || fs[1].Origin.At.Line != 10 {
				t.Errorf("findings at lines %d and %d, want 7 and 10", fs[0].Origin.At.Line, fs[1].Origin.At.Line)
			}
			if got := inv.Locations[objRef("Service", "default", "a")]; got != (model.Location{File: "input.yaml", Doc: 1, Line: 4}) {
				t.Errorf("Service a at %v", got)
			}
			if len(inv.VirtualServices) != 1 || len(inv.Services) != 1 {
				t.Errorf("inventory %d VirtualServices, %d Services", len(inv.VirtualServices), len(inv.Services))
			}
		},
	},
	{
		name:  "the items of a typed list take their kind from the list",
		input: "apiVersion: v1\nkind: ServiceList\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			if len(inv.Services) != 2 || inv.Services[1].Kind != "Service" {
				t.Errorf("Services %v", inv.Services)
			}
		},
	},
	{
		name:  "a JSON document is read",
		input: "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"ServiceAccount\",\n\t\"metadata\": {\"name\": \"sa\"}\n}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			if len(inv.ServiceAccounts) != 1 {
				t.Errorf("ServiceAccounts %v", inv.ServiceAccounts)
			}
		},
	},
	{
		name: "kinds that are not read are reported as ignored, never silently",
		input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n" +
			"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se}\n---\n" +
			"apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: sc}\n---\n" +
			"apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: ra}\n---\n" +
			"apiVersion: config.istio.io/v1alpha2\nkind: rule\nmetadata: {name: r}\n---\n" +
			"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\n---\n" +
			"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: crd}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs, "MB1001", "MB1001", "MB1001", "MB1001", "MB1001", "MB1001", "MB1001")
			if inv.Len() != 0 {
				t.Errorf("inventory holds %d objects", inv.Len())
			}
			if f := fs[0]; f.Severity != model.Info || f.Origin.Object != (model.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Name: "c"}) ||
				f.Message != "ConfigMap (v1) is not a kind meshbridge reads; skipped" {
				t.Errorf("finding %s", f)
			}
			if f := fs[5]; f.Origin.Object.Kind != "Gateway" || f.Origin.At.Doc != 6 {
				t.Errorf("a Gateway API Gateway is not an Istio Gateway: %s", f)
			}
		},
	},
	{
		name: "rbac.istio.io/v1alpha1 kinds are read in either field spelling, and unknown keys are reported",
		input: "apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRole\nmetadata: {name: viewer, namespace: ns}\n" +
			"spec:\n  rules:\n  - services: ['*']\n    not_paths: [/admin]\n    verbs: [GET]\n---\n" +
			"apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\n" +
			"spec: {mode: 'ON', enforcementMode: PERMISSIVE}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs, "MB1003 spec.rules[0].verbs")
			if fs[0].Field != "spec.rules[0].verbs" {
				t.Errorf("unknown key reported at %q", fs[0].Field)
			}
			if len(inv.ServiceRoles) != 1 || len(inv.ServiceRoles[0].Spec.Rules[0].NotPaths) != 1 {
				t.Fatalf("service roles %+v", inv.ServiceRoles)
			}
			if len(inv.ClusterRbacConfigs) != 1 || inv.ClusterRbacConfigs[0].Namespace != "" {
				t.Errorf("cluster rbac configs %+v", inv.ClusterRbacConfigs)
			}
		},
	},
	{
		name:  "a kind spelled in the wrong case is ignored with a hint",
		input: "apiVersion: security.istio.io/v1\nkind: authorizationPolicy\nmetadata: {name: p}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs, "MB1001")
			if !strings.Contains(fs[0].Message, "did you mean AuthorizationPolicy?") {
				t.Errorf("message %q gives no hint", fs[0].Message)
			}
		},
	},
	{
		name: "every unknown field of an Istio object is a warning with its path, and the rest is read",
		input: "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\n  labelz: {a: b}\nspecs: {}\n" +
			"spec:\n  hosts: [reviews]\n  http:\n  - rout: []\n    route:\n    - destination: {host: reviews, subnet: v1}\n  tpc: []\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs, "MB1003 metadata.labelz", "MB1003 specs",
				"MB1003 spec.http[0].rout", "MB1003 spec.http[0].route[0].destination.subnet", "MB1003 spec.tpc")
			if f := fs[0]; f.Severity != model.Warning || f.Message != "not a field of networking.istio.io/v1 VirtualService; ignored" {
				t.Errorf("finding %s", f)
			}
			if h := inv.VirtualServices[0].Spec.GetHttp()[0].GetRoute()[0].GetDestination().GetHost(); h != "reviews" {
				t.Errorf("host %q: the known fields must still be read", h)
			}
		},
	},
	{
		name:  "an unknown field in a Deployment's pod template is a warning with its path",
		input: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        imagee: x\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs, "MB1003 spec.template.spec.containers[0].imagee")
			if len(inv.Deployments) != 1 {
				t.Errorf("Deployments %v", inv.Deployments)
			}
		},
	},
	{
		name: "an object defined twice is an error naming both places, and the later one wins",
		input: "apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata: {name: r}\nspec: {hosts: [first]}\n---\n" +
			"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: default}\nspec: {hosts: [second]}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs, "MB1002")
			want := "defined twice: first as networking.istio.io/v1alpha3 at input.yaml:1 (document 1), " +
				"again as networking.istio.io/v1 at input.yaml:6 (document 2); the later definition wins"
			if f := fs[0]; f.Severity != model.Error || f.Message != want || f.Origin.At.Doc != 2 {
				t.Errorf("finding %s\nwant message %s", f, want)
			}
			if len(inv.VirtualServices) != 1 || inv.VirtualServices[0].Spec.GetHosts()[0] != "second" {
				t.Errorf("VirtualServices %v, want only the second", inv.VirtualServices)
			}
			if at := inv.Locations[objRef("VirtualService", "default", "r")]; at.Doc != 2 {
				t.Errorf("location %v, want the second document", at)
			}
		},
	},
	{
		name: "the same name in two namespaces or two kinds is no duplicate",
		input: "apiVersion: v1\nkind: Service\nmetadata: {name: r, namespace: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: r, namespace: b}\n---\n" +
			"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: r, namespace: a}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			wantCodes(t, fs)
			if inv.Len() != 3 {
				t.Errorf("inventory holds %d objects, want 3", inv.Len())
			}
		},
	},
	{
		name:  "YAML 1.1 scalars are read as kubectl reads them",
		input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels: {enabled: \"yes\"}\n",
		check: func(t *testing.T, inv *inventory.Inventory, fs model.Findings) {
			if v := inv.Services[0].Labels["enabled"]; v != "yes" {
				t.Errorf("label %q", v)
			}
		},
	},
}

func TestGoodInput(t *testing.T) {
	for _, tc := range goodInputs {
		t.Run(tc.name, func(t *testing.T) {
			inv, fs := decodeOK(t, tc.input, Options{})
			tc.check(t, inv, fs)
		})
	}
}

func TestNamespaceOption(t *testing.T) {
	t.Run("Options.Namespace is given to namespaced objects without one", func(t *testing.T) {
		inv, _ := decodeOK(t, "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\n", Options{Namespace: "shop"})
		if ns := inv.Services[0].Namespace; ns != "shop" {
			t.Errorf("Service namespace %q, want shop", ns)
		}
		if ns := inv.Namespaces[0].Namespace; ns != "" {
			t.Errorf("Namespace namespace %q, want none", ns)
		}
	})
	t.Run("an ignored kind is reported with the namespace as written", func(t *testing.T) {
		_, fs := decodeOK(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", Options{Namespace: "shop"})
		if ns := fs[0].Origin.Object.Namespace; ns != "" {
			t.Errorf("namespace %q, want none", ns)
		}
	})
}

func TestKindTable(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range kinds {
		key := k.group + "/" + k.kind
		if seen[key] {
			t.Errorf("%s is in the kind table twice", key)
		}
		seen[key] = true
		if len(k.versions) == 0 || k.decode == nil || k.store == nil {
			t.Errorf("%s is incomplete", key)
		}
	}
}
