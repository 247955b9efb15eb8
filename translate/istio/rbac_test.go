package istio

import (
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

const bookinfoRBAC = "istio-1.4-rbac-v1alpha1/bookinfo-rbac/"

// mongodbYAML adds the MongoDB Service and workload the corpus's mongodb policy names.
const mongodbYAML = `
apiVersion: v1
kind: Service
metadata: {name: mongodb, namespace: default}
spec: {selector: {app: mongodb}, ports: [{port: 27017, name: mongo}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: mongodb-v1, namespace: default}
spec:
  selector: {matchLabels: {app: mongodb}}
  template:
    metadata: {labels: {app: mongodb, version: v1}}
    spec: {containers: [{name: m, image: mongo, ports: [{containerPort: 27017}]}]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: bookinfo-ratings-v2, namespace: default}
`

// bookinfoScenarios are the Istio 1.4 Bookinfo RBAC steps, each a set of corpus files.
var bookinfoScenarios = []struct {
	name  string
	files []string
	extra string
}{
	{"namespace-level RBAC with the service policies", []string{"rbac-config-ON.yaml", "productpage-policy.yaml", "details-reviews-policy.yaml", "ratings-policy.yaml"}, ""},
	{"namespace-level RBAC with the namespace policy", []string{"rbac-config-ON.yaml", "namespace-policy.yaml"}, ""},
	{"RBAC on with nothing bound", []string{"rbac-config-ON.yaml"}, ""},
	{"a permissive binding", []string{"rbac-config-ON.yaml", "productpage-policy.yaml", "details-reviews-policy-permissive.yaml"}, ""},
	{"mesh-wide permissive enforcement", []string{"rbac-config-on-permissive.yaml", "productpage-policy.yaml", "details-reviews-policy.yaml"}, ""},
	{"the MongoDB TCP policy", []string{"rbac-config-on-mongodb.yaml", "mongodb-policy.yaml"}, mongodbYAML},
}

func bookinfoDocs(t *testing.T, files []string, extra string) []string {
	docs := []string{corpusFile(t, bookinfoRBAC+"_bookinfo-services-1.4.yaml"), extra}
	for _, f := range files {
		docs = append(docs, corpusFile(t, bookinfoRBAC+f))
	}
	return docs
}

// TestBookinfoRBACAgreesWithIstio14 reads each Bookinfo RBAC step and checks that the model
// decides every request class as Istio 1.4 enforced the v1alpha1 objects.
func TestBookinfoRBACAgreesWithIstio14(t *testing.T) {
	for _, sc := range bookinfoScenarios {
		t.Run(sc.name, func(t *testing.T) {
			inv := inventoryOf(t, bookinfoDocs(t, sc.files, sc.extra)...)
			snap, fs := Read(inv, Options{})
			if n := fs.Count(model.Error); n > 0 {
				t.Errorf("errors: %v", fs)
			}
			oracle := rbacOracle{t: t, inv: inv, snap: snap}
			checked := 0
			for _, req := range model.RequestClasses(snap) {
				want, known := oracle.decide(req)
				if !known {
					continue
				}
				checked++
				if got := model.Evaluate(snap, req); got.Allow != want {
					t.Fatalf("request %+v: model says %s, Istio 1.4 said allow=%v", req, got, want)
				}
			}
			if checked < 100 {
				t.Errorf("only %d request classes checked", checked)
			}
		})
	}
}

func TestBookinfoRBACDecisions(t *testing.T) {
	peer := func(sa string) string { return model.Peer("cluster.local", "default", sa) }
	productpage, details, ratings := labels("app", "productpage", "version", "v1"), labels("app", "details", "version", "v1"), labels("app", "ratings", "version", "v1")
	get := func(l map[string]string, principal string) model.Request {
		return request("default", l, 9080, principal, "GET", "/")
	}
	snap, _ := readYAML(t, bookinfoDocs(t, bookinfoScenarios[0].files, "")...)
	checks := []struct {
		name  string
		req   model.Request
		allow bool
	}{
		{"user * lets a plain-text caller GET productpage", get(productpage, ""), true},
		{"nobody may POST productpage", func() model.Request { r := get(productpage, ""); r.Method = "POST"; return r }(), false},
		{"productpage's account may GET details", get(details, peer("bookinfo-productpage")), true},
		{"reviews' account may not GET details", get(details, peer("bookinfo-reviews")), false},
		{"reviews' account may GET ratings", get(ratings, peer("bookinfo-reviews")), true},
		{"productpage's account may not GET ratings", get(ratings, peer("bookinfo-productpage")), false},
		{"a workload behind no Service is not governed", get(labels("app", "other"), ""), true},
	}
	for _, c := range checks {
		if d := model.Evaluate(snap, c.req); d.Allow != c.allow {
			t.Errorf("%s: got %s", c.name, d)
		}
	}
	t.Run("the user * rule has no source, unlike principals [*]", func(t *testing.T) {
		for _, p := range snap.Access {
			if p.Name == "bind-productpage-viewer-productpage" {
				if len(p.Rules) != 1 || p.Rules[0].From != nil {
					t.Errorf("rules = %+v", p.Rules)
				}
				return
			}
		}
		t.Error("no policy for the productpage binding")
	})
}

// TestGalleyValidationDatasets: Istio 1.4's own validation samples; the reader refuses the
// invalid ones with the right code and accepts the valid ones.
func TestGalleyValidationDatasets(t *testing.T) {
	dir := "istio-1.4-rbac-v1alpha1/galley-validation/"
	cases := []struct {
		file    string
		refused model.Code
	}{
		{"rbac-v1alpha1-ClusterRbacConfig-invalid.yaml", model.CodeRbacConfigRefused},
		{"rbac-v1alpha1-RBacConfig-invalid.yaml", model.CodeRbacConfigRefused},
		{"rbac-v1alpha1-ServiceRole-invalid.yaml", model.CodeServiceRoleRefused},
		{"rbac-v1alpha1-ServiceRoleBinding-invalid.yaml", model.CodeRoleBindingRefused},
		{"security-v1beta1-AuthorizationPolicy-invalid.yaml", model.CodeAuthzRefused},
		{"rbac-v1alpha1-ClusterRbacConfig-valid.yaml", ""},
		{"rbac-v1alpha1-RBacConfig-valid.yaml", ""},
		{"rbac-v1alpha1-ServiceRole-valid.yaml", ""},
		{"rbac-v1alpha1-ServiceRoleBinding-valid.yaml", ""},
		{"security-v1beta1-AuthorizationPolicy-valid.yaml", ""},
	}
	refusals := []model.Code{model.CodeRbacConfigRefused, model.CodeServiceRoleRefused, model.CodeRoleBindingRefused, model.CodeAuthzRefused}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, fs := readYAML(t, corpusFile(t, dir+c.file))
			for _, code := range refusals {
				if got := hasFinding(fs, code, ""); got != (code == c.refused) {
					t.Errorf("%s reported: %v, want %v (findings %v)", code, got, code == c.refused, fs)
				}
			}
		})
	}
	t.Run("the valid binding's custom properties never matched", func(t *testing.T) {
		_, fs := readYAML(t, corpusFile(t, dir+"rbac-v1alpha1-ServiceRole-valid.yaml"), corpusFile(t, dir+"rbac-v1alpha1-ServiceRoleBinding-valid.yaml"))
		if !hasFinding(fs, model.CodeRbacPropertyNeverMatches, "properties[namespace]") {
			t.Errorf("findings %v", fs)
		}
	})
}
