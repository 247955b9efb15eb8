package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
	"github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/translate/istio"
	"github.com/meshbridge/meshbridge/verify/cases"
)

// translation is one input translated for one target by translate.Translate, printed as
// convert printed before it rendered objects one by one.
type translation struct {
	name     string
	o        *convertOptions
	objs     []*unstructured.Unstructured
	findings model.Findings // load's and translate's, sorted as convert sorts them
}

// options returns convert's options for files and target, with the case's profile.
func options(files []string, target string, c cases.Options) *convertOptions {
	o := &convertOptions{files: files, to: target, mesh: c.Mesh[target], channel: c.Channel, output: "yaml",
		report: "text", failOn: "never", namespace: c.Namespace, rootNamespace: c.RootNamespace,
		clusterDomain: "cluster.local", trustDom: "cluster.local"}
	if o.channel == "" {
		o.channel = "standard"
	}
	if o.namespace == "" {
		o.namespace = "default"
	}
	if o.rootNamespace == "" {
		o.rootNamespace = "istio-system"
	}
	return o
}

// translateAll runs translate.Translate on the files for every target.
func translateAll(t *testing.T, name string, files []string, c cases.Options) []translation {
	var out []translation
	for _, target := range translate.Targets() {
		o := options(files, target, c)
		inv, lf, err := load.Load(files, nil, load.Options{Namespace: o.namespace})
		if err != nil {
			continue // bad input: convert stops before translating
		}
		res, err := translate.Translate(inv, translate.Options{To: target,
			Read:  istio.Options{RootNamespace: o.rootNamespace, ClusterDomain: o.clusterDomain, TrustDomain: o.trustDom},
			Write: emit.Options{Mesh: o.mesh, Channel: o.channel}})
		if err != nil {
			t.Fatalf("%s --to %s: %v", name, target, err)
		}
		out = append(out, translation{name: name + " --to " + target, o: o, objs: res.Objects,
			findings: append(lf, res.Findings...).Sorted()})
	}
	return out
}

// fixtureTranslations translates every fixture for every target.
func fixtureTranslations(t *testing.T) []translation {
	t.Helper()
	cs, err := cases.List("../../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 12 {
		t.Fatalf("found %d fixture cases, want at least 12", len(cs))
	}
	var out []translation
	for _, c := range cs {
		out = append(out, translateAll(t, c.Name, []string{filepath.Join(c.Dir, cases.InputFile)}, c.Options)...)
	}
	return out
}

var generated struct {
	once sync.Once
	dir  string
	err  error
}

// corpusTranslations translates a generated corpus of each mix for every target.
func corpusTranslations(t *testing.T) []translation {
	t.Helper()
	generated.once.Do(func() {
		generated.dir, generated.err = os.MkdirTemp("", "meshbridge-print-test-")
		for _, mix := range corpusgen.Mixes {
			if generated.err != nil {
				return
			}
			dir := filepath.Join(generated.dir, string(mix))
			if generated.err = os.Mkdir(dir, 0o755); generated.err != nil {
				return
			}
			_, generated.err = corpusgen.Generate(corpusgen.Options{Objects: 2000, Mix: mix, Seed: corpusgen.DefaultSeed},
				func(name string, data []byte) error { return os.WriteFile(filepath.Join(dir, name), data, 0o644) })
		}
	})
	if generated.err != nil {
		t.Fatal(generated.err)
	}
	var out []translation
	for _, mix := range corpusgen.Mixes {
		out = append(out, translateAll(t, "corpus "+string(mix), []string{filepath.Join(generated.dir, string(mix))}, cases.Options{})...)
	}
	return out
}

func TestMain(m *testing.M) {
	code := m.Run()
	if generated.dir != "" {
		os.RemoveAll(generated.dir)
	}
	os.Exit(code)
}

// printedBefore renders objects as convert did before documents: sigs.k8s.io/yaml.Marshal per
// object, or json.MarshalIndent of the whole List.
func printedBefore(objs []*unstructured.Unstructured, format string) ([]byte, error) {
	var out bytes.Buffer
	if format == "json" {
		items := make([]any, 0, len(objs))
		for _, o := range objs {
			items = append(items, o.Object)
		}
		b, err := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "  ")
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&out, "%s\n", b)
		return out.Bytes(), nil
	}
	for i, o := range objs {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, fmt.Errorf("rendering %s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
		if i > 0 {
			out.WriteString("---\n")
		}
		out.Write(b)
	}
	return out.Bytes(), nil
}

// TestConvertPipelineMatchesTranslate holds convert's own pipeline (objects rendered as they
// come, sorted as text) to translate.Translate followed by printing the sorted objects: the
// same bytes and the same findings, for every fixture and a generated corpus, every target and
// both formats.
func TestConvertPipelineMatchesTranslate(t *testing.T) {
	all := append(fixtureTranslations(t), corpusTranslations(t)...)
	for _, tr := range all {
		for _, format := range []string{"yaml", "json"} {
			want, wantErr := printedBefore(tr.objs, format)
			o := *tr.o
			o.output = format
			inv, lf, err := load.Load(o.files, nil, load.Options{Namespace: o.namespace})
			if err != nil {
				t.Fatalf("%s: %v", tr.name, err)
			}
			docs, findings, err := o.translate(inv)
			if err != nil {
				t.Fatalf("%s: %v", tr.name, err)
			}
			gotErr := docs.err()
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("%s -o %s: error %v, want %v", tr.name, format, gotErr, wantErr)
				continue
			}
			var got bytes.Buffer
			if err := docs.writeTo(&got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s -o %s: output differs from translate.Translate's, printed:\n%s", tr.name, format,
					golden.Diff(string(want), got.String()))
			}
			var gotF, wantF bytes.Buffer
			printFindings(&gotF, append(lf, findings...).Sorted(), "json")
			printFindings(&wantF, tr.findings, "json")
			if !bytes.Equal(gotF.Bytes(), wantF.Bytes()) {
				t.Errorf("%s: findings differ from translate.Translate's:\n%s", tr.name, golden.Diff(wantF.String(), gotF.String()))
			}
		}
	}
}

func TestPrintObjectsSortsAndSeparates(t *testing.T) {
	obj := func(kind, ns, name, version string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": version, "kind": kind,
			"metadata": map[string]any{"name": name, "namespace": ns}}}
	}
	objs := []*unstructured.Unstructured{
		obj("Server", "b", "x", "v1"), obj("HTTPRoute", "b", "y", "v1"), obj("Server", "a", "x", "v1"),
		obj("HTTPRoute", "b", "y", "v1beta1"), obj("HTTPRoute", "a", "z", "v1"),
	}
	sorted := []*unstructured.Unstructured{objs[4], objs[1], objs[3], objs[2], objs[0]}
	cases := []struct {
		name string
		objs []*unstructured.Unstructured
	}{
		{"no objects print as nothing, or an empty List", nil},
		{"one object has no separator", objs[:1]},
		{"objects print by kind, namespace, name and apiVersion", objs},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, format := range []string{"yaml", "json"} {
				var got bytes.Buffer
				if err := printObjects(&got, c.objs, format); err != nil {
					t.Fatal(err)
				}
				want := sorted
				if len(c.objs) < len(objs) {
					want = c.objs
				}
				wantText, _ := printedBefore(want, format)
				if !bytes.Equal(got.Bytes(), wantText) {
					t.Errorf("-o %s printed\n%s\nwant\n%s", format, got.Bytes(), wantText)
				}
			}
		})
	}
	t.Run("an object that cannot be rendered is an error naming it, and prints nothing", func(t *testing.T) {
		bad := obj("Server", "a", "bad", "v1")
		bad.Object["spec"] = map[string]any{"weight": math.Inf(1)}
		var got bytes.Buffer
		err := printObjects(&got, []*unstructured.Unstructured{objs[0], bad}, "yaml")
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte("Server a/bad")) {
			t.Errorf("error %v, want one naming Server a/bad", err)
		}
		if got.Len() > 0 {
			t.Errorf("printed %q", got.String())
		}
	})
}
