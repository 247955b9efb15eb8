package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/meshbridge/meshbridge/internal/crdvalidate"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// corpusDir holds Istio's own samples, kept outside the repository (../shared/corpus).
const corpusDir = "../../../shared/corpus/istio-head-samples/"

// TestConvertIstioSamplesToGatewayAPI runs convert over the Istio samples as a user would and
// checks what a user relies on: a usable exit status, the same bytes every time, objects a
// cluster with the standard Gateway API CRDs accepts, and no VirtualService lost in silence.
func TestConvertIstioSamplesToGatewayAPI(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("the Istio samples corpus is not available beside the repository: %v", err)
	}
	args := []string{"convert", "-f", corpusDir, "--to", "gatewayapi", "--report", "json"}
	stdout, stderr, code := run(t, "", args...)

	t.Run("convert exits 0 or 2", func(t *testing.T) {
		if code != exitOK && code != exitFindings {
			t.Fatalf("exit status %d, want 0 or 2; stderr:\n%s", code, stderr)
		}
	})
	if code != exitOK && code != exitFindings {
		return
	}

	t.Run("a second run prints the same bytes", func(t *testing.T) {
		stdout2, stderr2, code2 := run(t, "", args...)
		if code2 != code {
			t.Errorf("exit status %d, then %d", code, code2)
		}
		if stdout2 != stdout {
			t.Errorf("objects differ between runs")
		}
		if stderr2 != stderr {
			t.Errorf("findings differ between runs")
		}
	})

	objs := decodeObjects(t, stdout)
	var report struct {
		Findings model.Findings `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stderr), &report); err != nil {
		t.Fatalf("findings on stderr are not the JSON report: %v\n%s", err, stderr)
	}

	t.Run("every Gateway API object is accepted by the standard CRDs", func(t *testing.T) {
		dir, err := crdvalidate.ModuleDir("sigs.k8s.io/gateway-api")
		if err != nil {
			t.Skipf("gateway-api CRDs not available: %v", err)
		}
		v, err := crdvalidate.Load(filepath.Join(dir, "config/crd/standard"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, o := range objs {
			if o.GroupVersionKind().Group != "gateway.networking.k8s.io" {
				continue
			}
			n++
			if errs := v.Validate(o); len(errs) > 0 {
				t.Errorf("%s %s/%s is refused: %v", o.GetKind(), o.GetNamespace(), o.GetName(), errs.ToAggregate())
			}
		}
		if n == 0 {
			t.Errorf("no Gateway API object among the %d printed", len(objs))
		}
	})

	t.Run("every VirtualService has an object or a finding", func(t *testing.T) {
		accounted := map[string]bool{}
		for _, o := range objs {
			for _, src := range strings.Split(o.GetAnnotations()[emit.SourceAnnotation], ",") {
				accounted[src] = true
			}
		}
		for _, f := range report.Findings {
			if r := f.Origin.Object; r.Kind == "VirtualService" {
				accounted["VirtualService/"+r.Namespace+"/"+r.Name] = true
			}
		}
		vss := corpusVirtualServices(t, corpusDir)
		if len(vss) == 0 {
			t.Fatalf("found no VirtualService under %s", corpusDir)
		}
		for _, vs := range vss {
			if !accounted[vs] {
				t.Errorf("%s produced no object and no finding", vs)
			}
		}
	})
}

// decodeObjects reads convert's YAML output.
func decodeObjects(t *testing.T, out string) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	d := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(out), 4096)
	for {
		var m map[string]any
		err := d.Decode(&m)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("output is not YAML objects: %v", err)
		}
		if m != nil {
			objs = append(objs, &unstructured.Unstructured{Object: m})
		}
	}
}

// corpusVirtualServices returns "VirtualService/namespace/name" for every VirtualService in
// the YAML files under dir, sorted and without repeats ("default" when none is named, as
// convert assumes).
func corpusVirtualServices(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !slices.Contains([]string{".yaml", ".yml", ".json"}, filepath.Ext(p)) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
		for {
			var u unstructured.Unstructured
			if err := d.Decode(&u.Object); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			if u.GetKind() != "VirtualService" || !strings.HasPrefix(u.GetAPIVersion(), "networking.istio.io/") {
				continue
			}
			ns := u.GetNamespace()
			if ns == "" {
				ns = "default"
			}
			out = append(out, "VirtualService/"+ns+"/"+u.GetName())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
