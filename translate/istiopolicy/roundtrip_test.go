package istiopolicy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/translate/istio"
)

func corpus(t *testing.T, rel string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "corpus", rel)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("corpus file %s not found (the shared corpus is optional): %v", path, err)
	}
	return string(data)
}

// decode reads YAML documents into inv: rbac.istio.io kinds with their decoder, the rest with
// the loader.
func decode(t *testing.T, inv *inventory.Inventory, docs ...string) {
	t.Helper()
	for _, all := range docs {
		for _, doc := range strings.Split(all, "\n---") {
			var meta struct{ APIVersion, Kind string }
			if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
				t.Fatal(err)
			}
			switch {
			case meta.APIVersion == "":
			case meta.APIVersion == rbacv1alpha1.GroupVersion.String():
				obj, unknown, err := rbacv1alpha1.Decode(meta.Kind, []byte(doc))
				if err != nil || len(unknown) > 0 {
					t.Fatalf("%v %v", err, unknown)
				}
				switch o := obj.(type) {
				case *rbacv1alpha1.ServiceRole:
					o.Namespace = "default"
					inv.ServiceRoles = append(inv.ServiceRoles, o)
				case *rbacv1alpha1.ServiceRoleBinding:
					o.Namespace = "default"
					inv.ServiceRoleBindings = append(inv.ServiceRoleBindings, o)
				case *rbacv1alpha1.ClusterRbacConfig:
					inv.ClusterRbacConfigs = append(inv.ClusterRbacConfigs, o)
				}
			default:
				if _, err := load.Decode(inv, "test.yaml", []byte(doc), load.Options{}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	inv.Sort()
}

// roundTrip reads docs, writes the snapshot as Istio objects, loads those objects back with the
// same workloads, reads them again, and checks that both snapshots decide every request class
// alike, enforced and with dry-run policies enforced too. It returns the written objects.
func roundTrip(t *testing.T, docs ...string) string {
	t.Helper()
	inv := &inventory.Inventory{}
	decode(t, inv, docs...)
	before, fs := istio.Read(inv, istio.Options{})
	if fs.Count(model.Error) > 0 {
		t.Logf("reading the input: %v", fs)
	}
	objs, wfs := Write(before, emit.Options{})
	if wfs.Count(model.Error) > 0 {
		t.Errorf("writing: %v", wfs)
	}
	var written []string
	for _, o := range objs {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		written = append(written, string(b))
	}
	out := strings.Join(written, "---\n")
	again := &inventory.Inventory{
		Services: inv.Services, ServiceAccounts: inv.ServiceAccounts, Namespaces: inv.Namespaces, Pods: inv.Pods,
		Deployments: inv.Deployments, StatefulSets: inv.StatefulSets, DaemonSets: inv.DaemonSets,
	}
	if len(objs) > 0 {
		if _, err := load.Decode(again, "written.yaml", []byte(out), load.Options{}); err != nil {
			t.Fatalf("the loader refuses the written objects: %v\n%s", err, out)
		}
	}
	again.Sort()
	after, afs := istio.Read(again, istio.Options{})
	for _, f := range afs {
		if f.Code == model.CodeAuthzRefused || f.Code == model.CodePeerAuthRefused {
			t.Errorf("Istio's validation would refuse a written object: %v", f)
		}
	}
	classes := model.RequestClasses(before, after)
	for _, opts := range []model.EvalOptions{{}, {DryRunEnforced: true}} {
		for _, req := range classes {
			a, b := model.EvaluateWith(before, req, opts), model.EvaluateWith(after, req, opts)
			if a.Allow != b.Allow {
				t.Fatalf("%+v (dry-run enforced %v): the input decides %s, the written objects %s\n%s", req, opts.DryRunEnforced, a, b, out)
			}
		}
	}
	if len(classes) < 20 {
		t.Errorf("only %d request classes", len(classes))
	}
	return out
}

// TestRoundTripAuthorizationPolicies: Istio → model → Istio objects → model decides alike.
func TestRoundTripAuthorizationPolicies(t *testing.T) {
	tasks := "istio-docs-tasks/"
	cases := []struct {
		name  string
		files []string
		extra string
	}{
		{"bookinfo HTTP viewers", []string{tasks + "authz-http/01-allow-nothing.yaml", tasks + "authz-http/02-productpage-viewer.yaml",
			tasks + "authz-http/03-bookinfo-gateway-viewer.yaml", tasks + "authz-http/04-details-viewer.yaml",
			tasks + "authz-http/05-reviews-viewer.yaml", tasks + "authz-http/06-ratings-viewer.yaml",
			"istio-head-samples/workloads/bookinfo__platform__kube__bookinfo.yaml"}, ""},
		{"deny with header exceptions beside an allow", []string{tasks + "authz-deny/02-deny-method-get-unless-admin-token.yaml",
			tasks + "authz-deny/03-allow-path-ip.yaml", "istio-head-samples/workloads/httpbin__httpbin.yaml"}, ""},
		{"TCP ports and methods", []string{tasks + "authz-tcp/01-tcp-policy-allow-ports.yaml", tasks + "authz-tcp/03-tcp-policy-deny-get.yaml",
			"istio-head-samples/workloads/tcp-echo__tcp-echo.yaml"}, ""},
		{"JWT claims", []string{tasks + "authz-jwt/03-require-jwt-groups-claim.yaml"}, ""},
		{"CUSTOM and dry-run", []string{tasks + "authz-custom/01-ext-authz-custom-action.yaml", tasks + "authz-dry-run/01-deny-path-headers-dry-run.yaml"}, ""},
		{"ingress IP blocks in the root namespace", []string{tasks + "authz-ingress/01-ingress-allow-ipblocks.yaml",
			tasks + "authz-ingress/03-gatewayapi-ingress-allow-ipblocks.yaml"}, ""},
		{"the 1.4 validation sample", []string{"istio-1.4-rbac-v1alpha1/galley-validation/security-v1beta1-AuthorizationPolicy-valid.yaml"}, ""},
		{"KServe's namespace policies", []string{"kserve/servicemesh__auth.yaml"}, ""},
		{"every field, negations and targetRefs", nil, everyField},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs := []string{c.extra}
			for _, f := range c.files {
				docs = append(docs, corpus(t, f))
			}
			roundTrip(t, docs...)
		})
	}
}

const everyField = `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: every, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  rules:
  - from:
    - source: {principals: ['cluster.local/ns/foo/*'], notPrincipals: ['*/sa/evil'], requestPrincipals: ['iss/*'], notRequestPrincipals: ['iss/bad']}
    - source: {namespaces: ['b*'], notNamespaces: [bad], ipBlocks: [10.0.0.0/8], notIpBlocks: [10.9.0.0/16], remoteIpBlocks: [1.2.3.0/24], notRemoteIpBlocks: [1.2.3.4]}
    - source: {serviceAccounts: [sleep, bar/client], notServiceAccounts: [foo/evil]}
    to:
    - operation: {hosts: ['*.example.com'], notHosts: [evil.example.com], ports: ['8000'], notPorts: ['9'], methods: [GET, PUT], notMethods: [DELETE],
                  paths: ['/api/{*}/items/{**}', '/static*', '*.png'], notPaths: ['/api/admin/{**}']}
    when:
    - {key: 'request.headers[x-v]', values: ['1', '2*'], notValues: ['2x']}
    - {key: 'request.auth.claims[groups]', values: [admins]}
    - {key: source.ip, notValues: [10.1.0.0/16]}
    - {key: destination.port, values: ['8000']}
    - {key: connection.sni, values: ['*']}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-tcp, namespace: foo}
spec:
  action: DENY
  rules:
  - to: [{operation: {methods: [POST]}}]
  - from: [{source: {notNamespaces: [foo]}}]
    to: [{operation: {ports: ['9000']}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: audit, namespace: foo}
spec:
  action: AUDIT
  rules: [{to: [{operation: {paths: [/audit]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: gateway, namespace: foo}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: web}, {kind: Service, name: httpbin}]
  rules: [{from: [{source: {ipBlocks: [192.0.2.0/24]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mesh, namespace: istio-system}
spec:
  selector: {matchLabels: {tier: edge}}
  action: DENY
  rules: [{when: [{key: remote.ip, values: [203.0.113.0/24]}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: refused, namespace: bar}
spec:
  action: DENY
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec: {mtls: {mode: STRICT}}
`

// TestRoundTripBookinfoRBAC: the Istio 1.4 Bookinfo v1alpha1 steps become v1
// AuthorizationPolicies that decide every request class as the v1alpha1 objects did (the
// translate/istio tests hold the v1alpha1 reading to an independent Istio 1.4 oracle).
func TestRoundTripBookinfoRBAC(t *testing.T) {
	dir := "istio-1.4-rbac-v1alpha1/bookinfo-rbac/"
	steps := [][]string{
		{"rbac-config-ON.yaml", "productpage-policy.yaml", "details-reviews-policy.yaml", "ratings-policy.yaml"},
		{"rbac-config-ON.yaml", "namespace-policy.yaml"},
		{"rbac-config-ON.yaml"},
		{"rbac-config-ON.yaml", "productpage-policy.yaml", "details-reviews-policy-permissive.yaml"},
		{"rbac-config-on-permissive.yaml", "productpage-policy.yaml", "details-reviews-policy.yaml"},
		{"rbac-config-on-mongodb.yaml", "mongodb-policy.yaml"},
	}
	for _, files := range steps {
		t.Run(strings.Join(files, "+"), func(t *testing.T) {
			docs := []string{corpus(t, dir+"_bookinfo-services-1.4.yaml")}
			for _, f := range files {
				docs = append(docs, corpus(t, dir+f))
			}
			out := roundTrip(t, docs...)
			if strings.Contains(out, "rbac.istio.io") {
				t.Errorf("v1alpha1 objects in the output:\n%s", out)
			}
		})
	}
	t.Run("the service policies are written as v1 policies", func(t *testing.T) {
		docs := []string{corpus(t, dir+"_bookinfo-services-1.4.yaml")}
		for _, f := range steps[0] {
			docs = append(docs, corpus(t, dir+f))
		}
		out := roundTrip(t, docs...)
		for _, want := range []string{"name: bind-productpage-viewer-productpage", "name: rbac-deny-by-default-ratings",
			"meshbridge.io/source: ServiceRoleBinding/default/bind-ratings", "apiVersion: security.istio.io/v1\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
}
