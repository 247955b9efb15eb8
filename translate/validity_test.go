package translate_test

import (
	"path/filepath"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/internal/crdvalidate"
)

// consumerCRDs names, per target and mesh profile, the CRDs the consumer really installs. The
// module CRDs come with the build; the others from ../shared/crds when it is beside the repo.
func consumerCRDs(target, mesh, channel string) (paths []string, skip string) {
	module := func(mod, rel string) string {
		dir, err := crdvalidate.ModuleDir(mod)
		if err != nil {
			skip = err.Error()
		}
		return filepath.Join(dir, rel)
	}
	shared := func(rel string) string {
		p, err := crdvalidate.SharedCRDs(rel)
		if err != nil {
			skip = err.Error()
		}
		return p
	}
	gw := "config/crd/standard"
	if channel == "experimental" {
		gw = "config/crd/experimental"
	}
	switch target {
	case "gatewayapi":
		return []string{module("sigs.k8s.io/gateway-api", gw)}, skip
	case "istio":
		return []string{module("istio.io/api", "kubernetes/customresourcedefinitions.gen.yaml")}, skip
	case "linkerd":
		return []string{shared("linkerd/linkerd2-main-2026-08"), module("sigs.k8s.io/gateway-api", gw)}, skip
	case "smi":
		switch mesh {
		case "osm":
			return []string{shared("smi/osm-v1.2.4")}, skip
		case "linkerd-smi":
			return []string{shared("smi/linkerd-smi-v0.2.7")}, skip
		case "", "smi":
			return []string{shared("smi/smi-sdk-go-main-apiextensions-v1")}, skip
		}
		return nil, "no installable v1 CRDs serve the " + mesh + " profile's versions"
	}
	return nil, "no CRDs known for target " + target
}

var validators sync.Map // key: joined paths -> *crdvalidate.Validator

func validatorFor(t *testing.T, paths []string) *crdvalidate.Validator {
	key := filepath.Join(paths...)
	if v, ok := validators.Load(key); ok {
		return v.(*crdvalidate.Validator)
	}
	v, err := crdvalidate.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	validators.Store(key, v)
	return v
}

// coreKinds are built-in kinds every API server serves; the translation only generates Services.
var coreKinds = map[string]bool{"v1/Service": true}

// TestFixtureOutputIsValidForTheConsumer validates every object every writer emits for every
// fixture against the consumer's official CRD schemas and CEL rules: an object at a version the
// consumer does not serve, with an unknown field or an invalid value, fails.
func TestFixtureOutputIsValidForTheConsumer(t *testing.T) {
	for _, c := range fixtureCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			res := run(t, c)
			for target, tr := range res.Translations {
				mesh := c.Options.Mesh[target]
				paths, skip := consumerCRDs(target, mesh, c.Options.Channel)
				if skip != "" {
					t.Logf("%s (%s): not validated: %s", target, mesh, skip)
					continue
				}
				v := validatorFor(t, paths)
				for _, o := range tr.Result.Objects {
					checkObject(t, v, target, o)
				}
			}
		})
	}
}

func checkObject(t *testing.T, v *crdvalidate.Validator, target string, o *unstructured.Unstructured) {
	t.Helper()
	if coreKinds[o.GetAPIVersion()+"/"+o.GetKind()] {
		return
	}
	if errs := v.Validate(o); len(errs) > 0 {
		t.Errorf("%s: %s %s/%s is refused by the consumer's CRDs: %v", target, o.GetKind(), o.GetNamespace(), o.GetName(), errs.ToAggregate())
	}
}
