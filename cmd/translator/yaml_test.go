package main

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// edgeValues are values whose YAML could differ between go-yaml v2 applied directly and
// sigs.k8s.io/yaml's JSON round trip, if renderYAML vouched for them wrongly.
var edgeValues = map[string]any{
	"int64":              int64(42),
	"negative int64":     int64(-7),
	"max int64":          int64(math.MaxInt64),
	"min int64":          int64(math.MinInt64),
	"int":                3,
	"int32":              int32(8080),
	"whole float":        float64(2),
	"big whole float":    1e6,
	"huge whole float":   1e19,
	"giant float":        1e21,
	"negative zero":      math.Copysign(0, -1),
	"fraction":           0.5,
	"long fraction":      1234567.5,
	"tiny fraction":      1e-7,
	"float sum":          0.1 + 0.2,
	"true":               true,
	"false":              false,
	"nil":                nil,
	"empty string":       "",
	"digits":             "123",
	"octal-looking":      "0777",
	"hex-looking":        "0x1F",
	"exponent-looking":   "1e3",
	"underscored number": "1_000",
	"sexagesimal":        "1:20",
	"dot number":         ".5",
	"word true":          "true",
	"yes":                "yes",
	"No":                 "No",
	"on":                 "on",
	"y":                  "y",
	"null word":          "null",
	"tilde":              "~",
	"infinity word":      ".inf",
	"nan word":           ".NaN",
	"timestamp-looking":  "2001-12-14t21:59:43.10-05:00",
	"merge key":          "<<",
	"dash":               "- item",
	"colon":              "key: value",
	"hash":               "# comment",
	"leading space":      " padded",
	"trailing space":     "padded ",
	"quotes":             `"quoted" and 'single'`,
	"backslash":          `C:\path\n`,
	"html":               "<a href=\"x\">&amp;</a>",
	"newline":            "line one\nline two\n",
	"carriage return":    "a\rb",
	"tab":                "a\tb",
	"control":            "bell\x07nul\x00",
	"escape":             "\x1b[31m",
	"del":                "a\x7fb",
	"next line":          "a\u0085b",
	"c1 control":         "a\u0090b",
	"nbsp":               "a\u00a0b",
	"line separator":     "a\u2028b\u2029c",
	"byte order mark":    "\ufeffbom",
	"non-characters":     "a\ufffeb\uffff",
	"replacement char":   "a\ufffdb",
	"invalid utf-8":      "a\xffb",
	"emoji":              "ok \U0001F600",
	"accents":            "héllo wörld",
	"long string":        strings.Repeat("abc def ", 1000),
	"long word":          strings.Repeat("x", 5000),
	"empty map":          map[string]any{},
	"empty slice":        []any{},
	"nil map":            map[string]any(nil),
	"nil slice":          []any(nil),
	"string slice":       []string{"a", "b"},
	"string map":         map[string]string{"b": "1", "a": "2"},
	"nested":             map[string]any{"list": []any{int64(1), "two", map[string]any{"three": 3.5}}, "nil": nil},
	"slice of slices":    []any{[]any{}, []any{"x"}},
}

// edgeKeys are map keys that could be read back differently.
var edgeKeys = []string{"", "123", "true", "null", "<<", "-", "a b", "key: x", "x\ny", "\u0085",
	"app.kubernetes.io/name", strings.Repeat("k", maxDirectKey), strings.Repeat("k", maxDirectKey+1),
	strings.Repeat("<", 200), strings.Repeat("k", 2000), "a10", "a9", "a09", "B", "b", "é"}

func TestRenderYAMLMatchesSigsYAML(t *testing.T) {
	t.Run("every edge value alone and as an element", func(t *testing.T) {
		for name, v := range edgeValues {
			checkRender(t, name, map[string]any{"value": v})
			checkRender(t, name+" in a list", map[string]any{"spec": map[string]any{"items": []any{v, "x"}}})
		}
	})
	t.Run("every edge key", func(t *testing.T) {
		for _, k := range edgeKeys {
			checkRender(t, fmt.Sprintf("key %.20q", k), map[string]any{k: "v", "metadata": map[string]any{k: int64(1)}})
		}
		all := map[string]any{}
		for _, k := range edgeKeys {
			all[k] = k
		}
		checkRender(t, "all keys sorted together", all)
	})
	t.Run("every edge value in one object", func(t *testing.T) {
		checkRender(t, "all values", map[string]any{"spec": edgeValues})
	})
	t.Run("a nil object", func(t *testing.T) {
		checkRender(t, "nil", nil)
	})
	t.Run("the objects every writer makes from every fixture", func(t *testing.T) {
		paths := map[renderPath]int{}
		for _, tr := range fixtureTranslations(t) {
			for _, o := range tr.objs {
				paths[checkRender(t, tr.name+" "+o.GetKind()+" "+o.GetName(), o.Object)]++
			}
		}
		t.Logf("rendered by yamlEncoder %d, go-yaml %d, sigs.k8s.io/yaml %d", paths[byEncoder], paths[byGoYAML], paths[bySigsYAML])
		if paths[byEncoder] == 0 || paths[byGoYAML] == 0 {
			t.Errorf("the fixtures no longer exercise both fast paths: %v", paths)
		}
	})
	t.Run("the objects every writer makes from a generated corpus", func(t *testing.T) {
		paths := map[renderPath]int{}
		for _, tr := range corpusTranslations(t) {
			for _, o := range tr.objs {
				paths[checkRender(t, tr.name+" "+o.GetKind()+" "+o.GetNamespace()+"/"+o.GetName(), o.Object)]++
			}
		}
		t.Logf("rendered by yamlEncoder %d, go-yaml %d, sigs.k8s.io/yaml %d", paths[byEncoder], paths[byGoYAML], paths[bySigsYAML])
	})
}

// renderPath is the way an object was rendered.
type renderPath int

const (
	byEncoder  renderPath = iota // yamlEncoder
	byGoYAML                     // go-yaml v2 directly
	bySigsYAML                   // sigs.k8s.io/yaml
)

// checkRender fails when yamlEncoder (if it accepts obj), renderYAML or yamlRenderer and
// sigs.k8s.io/yaml.Marshal disagree on obj, and returns the way yamlRenderer took.
func checkRender(t *testing.T, name string, obj map[string]any) renderPath {
	t.Helper()
	want, wantErr := yaml.Marshal(obj)
	path := bySigsYAML
	if obj != nil && encodesAsItself(obj) {
		path = byGoYAML
	}
	var enc yamlEncoder
	if got, ok := enc.encode(obj); ok {
		path = byEncoder
		if wantErr != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: yamlEncoder rendered\n%s\nwant (sigs.k8s.io/yaml, error %v)\n%s", name, got, wantErr, want)
		}
	}
	var r yamlRenderer
	for _, render := range []func(map[string]any) ([]byte, error){renderYAML, r.render} {
		got, gotErr := render(obj)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("%s: error %v, want %v", name, gotErr, wantErr)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: rendered\n%s\nwant (sigs.k8s.io/yaml)\n%s", name, got, want)
		}
	}
	return path
}

// FuzzRenderYAML holds every way of rendering to sigs.k8s.io/yaml.Marshal, on objects built
// from arbitrary keys, strings and numbers and on trees of maps and sequences shaped by data.
func FuzzRenderYAML(f *testing.F) {
	for name, v := range edgeValues {
		s, _ := v.(string)
		f.Add(name, s, int64(len(name)), 0.5, []byte(name))
	}
	for _, k := range edgeKeys {
		f.Add(k, k, int64(-1), 1e6, []byte(k))
	}
	f.Fuzz(func(t *testing.T, key, s string, i int64, x float64, shape []byte) {
		obj := map[string]any{
			key:    s,
			"s":    s,
			"i":    i,
			"f":    x,
			"list": []any{s, i, x, nil, map[string]any{}, []any{key}},
			"map":  map[string]any{s: key, key: map[string]any{"n": i}},
		}
		checkRender(t, "fuzzed object", obj)
		tree := treeOf(&shape, []string{key, s}, 0)
		if m, ok := tree.(map[string]any); ok {
			checkRender(t, "fuzzed tree", m)
		} else {
			checkRender(t, "fuzzed tree", map[string]any{"root": tree})
		}
	})
}

// treeWords are the strings treeOf builds trees from, with the fuzzer's own.
var treeWords = []string{"a", "b", "spec", "metadata", "app.kubernetes.io/name", "y", "on", "*", ".+", "",
	"10.0.0.0/8", "5432", "true", "null", "a b", "-", "/path", "v1", "x_y", "Z"}

// treeOf builds a value from the bytes of shape, consuming them: maps and sequences of up to
// four elements, nested up to five deep, scalars picked among treeWords, extra and numbers.
func treeOf(shape *[]byte, extra []string, depth int) any {
	next := func() int {
		if len(*shape) == 0 {
			return 0
		}
		b := (*shape)[0]
		*shape = (*shape)[1:]
		return int(b)
	}
	words := append(slices.Clone(treeWords), extra...)
	c := next()
	switch {
	case c%8 == 0 && depth < 5:
		m := map[string]any{}
		for range next() % 5 {
			m[words[next()%len(words)]] = treeOf(shape, extra, depth+1)
		}
		return m
	case c%8 == 1 && depth < 5:
		l := []any{}
		for range next() % 5 {
			l = append(l, treeOf(shape, extra, depth+1))
		}
		return l
	case c%8 == 2:
		return int64(next() - 128)
	case c%8 == 3:
		return next()%2 == 0
	case c%8 == 4:
		return nil
	}
	return words[next()%len(words)]
}
