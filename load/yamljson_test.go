package load

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
	"github.com/meshbridge/meshbridge/inventory"
)

// yamlEdgeCases are documents where converting YAML to JSON is easy to get subtly wrong.
var yamlEdgeCases = map[string]string{
	"YAML 1.1 booleans":                   "a: yes\nb: no\nc: on\nd: OFF\ne: y\nf: 'yes'\n",
	"integers of every size":              "a: 1\nb: -9223372036854775808\nc: 18446744073709551615\nd: 0x1F\ne: 0o17\nf: 017\ng: 1_000\nh: 99999999999999999999999\n",
	"floats as encoding/json writes them": "a: 1.5\nb: 1e-7\nc: 1e21\nd: 1e20\ne: -0.0\nf: 3.0\ng: 1.0e+3\nh: 0.000001\ni: 123456789.123456789\n",
	"infinity and not-a-number":           "a: .inf\n",
	"not-a-number":                        "a: .nan\n",
	"timestamps stay strings untagged":    "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\n",
	"a tagged timestamp":                  "a: !!timestamp 2001-12-14t21:59:43.10-05:00\n",
	"binary":                              "a: !!binary aGVsbG8=\n",
	"anchors, aliases and merge keys":     "base: &b {x: 1, y: [a, b]}\nother:\n  <<: *b\n  z: 2\nlist: [*b, *b]\n",
	"keys that are not strings":           "1: a\n2.5: b\ntrue: c\n~: d\n",
	"keys that become the same string":    "1: a\n\"1\": b\n",
	"float keys":                          "1.0: a\n.inf: b\n1e3: c\n",
	"characters JSON escapes":             "a: \"<b>&amp;</b>\"\nb: \"tab\\tnew\\nline\\x01\\x7f\"\nc: \"\\u2028\\u2029\"\nd: \"quote \\\" back \\\\\"\n\"<k>\": 1\n",
	"invalid UTF-8 in a string":           "a: \"\\xff\"\nb: !!binary /w==\n",
	"non-ASCII text":                      "a: héllo wörld ✓ 𝄞\n",
	"a scalar document":                   "just a string\n",
	"a list document":                     "- a\n- b: 1\n",
	"an empty document":                   "",
	"nulls":                               "a: ~\nb: null\nc:\nd: [~, null]\n",
	"empty collections":                   "a: {}\nb: []\nc: [{}]\n",
	"a duplicate key":                     "a: 1\na: 2\n",
	"malformed YAML":                      "a: [1, 2\n",
	"a Kubernetes object":                 "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: n}\nspec: {ports: [{port: 80}]}\n",
	"header fields of every type":         "apiVersion: 3\nkind: [a]\nmetadata: ~\nitems: {a: 1}\n",
	"a list of objects":                   "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n",
}

// checkYAMLToJSON fails when yamlToJSON disagrees with sigs.k8s.io/yaml on y, in the bytes or
// in whether it fails, or when its header differs from decoding the JSON into one.
func checkYAMLToJSON(t *testing.T, y []byte) {
	t.Helper()
	want, wantErr := yaml.YAMLToJSONStrict(y)
	got, head, err := safeYAMLToJSON(y)
	if err != nil && strings.Contains(err.Error(), "are the same key in JSON") {
		return // sigs.k8s.io/yaml keeps either key at random; yamlToJSON refuses (TestYAMLToJSONRefusesKeysThatCollide)
	}
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("error %v, sigs.k8s.io/yaml says %v\ninput:\n%s", err, wantErr, y)
	}
	if err != nil {
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("JSON differs from sigs.k8s.io/yaml\ninput:\n%s\ngot:  %s\nwant: %s", y, got, want)
	}
	if head == nil {
		if firstKind(got) == jsonObject && !bytes.Equal(got, want) {
			t.Fatalf("no header for a mapping")
		}
		return
	}
	var h header
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(got, &h); err != nil {
		t.Fatalf("the JSON does not decode into a header: %v", err)
	}
	if !reflect.DeepEqual(*head, h) {
		t.Fatalf("header %+v, decoding the JSON gives %+v", *head, h)
	}
}

func TestYAMLToJSONMatchesSigsYAML(t *testing.T) {
	for name, y := range yamlEdgeCases {
		t.Run(name, func(t *testing.T) { checkYAMLToJSON(t, []byte(y)) })
	}
	t.Run("every document of the fixtures, the shared corpus and a generated corpus", func(t *testing.T) {
		docs := 0
		for _, data := range yamlSeeds(t) {
			parts, err := splitDocuments("x.yaml", data)
			if err != nil {
				continue
			}
			for _, d := range parts {
				checkYAMLToJSON(t, d.yaml)
				docs++
			}
		}
		if docs < 1000 {
			t.Errorf("only %d documents compared", docs)
		}
	})
}

// yamlSeeds are whole files: fixture inputs, the shared corpus when present and a generated
// corpus of 1000 objects.
func yamlSeeds(t testing.TB) [][]byte {
	var out [][]byte
	paths, _ := filepath.Glob("../fixtures/*/input.yaml")
	corpus, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*", "*.yaml"))
	for _, p := range append(paths, corpus...) {
		if data, err := os.ReadFile(p); err == nil {
			out = append(out, data)
		}
	}
	files, _, err := corpusgen.Files(corpusgen.Options{Objects: 1000, Seed: corpusgen.DefaultSeed})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		out = append(out, f.Data)
	}
	return out
}

// FuzzYAMLToJSON holds yamlToJSON to sigs.k8s.io/yaml's bytes on arbitrary documents.
func FuzzYAMLToJSON(f *testing.F) {
	for _, y := range yamlEdgeCases {
		f.Add([]byte(y))
	}
	for _, data := range yamlSeeds(f) {
		if parts, err := splitDocuments("x.yaml", data); err == nil {
			for _, d := range parts {
				f.Add(d.yaml)
			}
		}
	}
	f.Fuzz(func(t *testing.T, y []byte) {
		defer func() {
			if r := recover(); r != nil {
				t.Skip("sigs.k8s.io/yaml panics on this input; safeYAMLToJSON turns that into an error")
			}
		}()
		checkYAMLToJSON(t, y)
	})
}

func TestYAMLToJSONRefusesKeysThatCollide(t *testing.T) {
	for name, c := range map[string]struct{ input, want string }{
		"an integer key beside the same digits quoted": {"1: a\n\"1\": b\n", `mapping keys "1" and 1 are the same key in JSON: "1"`},
		"a boolean key beside its name quoted, nested": {"spec:\n  true: a\n  \"true\": b\n", `mapping keys "true" and true are the same key in JSON: "true"`},
	} {
		t.Run(name, func(t *testing.T) {
			for range 20 { // whatever order the map gives
				_, _, err := yamlToJSON([]byte(c.input))
				if err == nil || err.Error() != c.want {
					t.Fatalf("error %v, want %s", err, c.want)
				}
			}
			inv := &inventory.Inventory{}
			_, err := Decode(inv, "input.yaml", []byte("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"+c.input), Options{})
			if err == nil || !strings.Contains(err.Error(), "input.yaml:1 (document 1): malformed YAML: mapping keys") {
				t.Fatalf("Decode error %v, want a malformed YAML error naming the file", err)
			}
		})
	}
}
