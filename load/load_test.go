package load

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

// writeTree creates files (path -> content) under a new temporary folder and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func svc(name string) string {
	return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\n"
}

func TestLoad(t *testing.T) {
	t.Run("a folder is read recursively in lexical order, only YAML and JSON files", func(t *testing.T) {
		root := writeTree(t, map[string]string{
			"b.yaml":           svc("b"),
			"a.yml":            svc("a"),
			"sub/c.json":       `{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "c"}}`,
			"sub/deeper/d.YML": svc("d"),
			"notes.txt":        "not yaml: [",
			"README.md":        "# not yaml: [",
		})
		inv, fs, err := Load([]string{root}, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 0 {
			t.Errorf("findings %s", fs)
		}
		var files []string
		for _, s := range inv.Services {
			files = append(files, strings.TrimPrefix(inv.Locations[objRef("Service", "default", s.Name)].File, root+"/"))
		}
		if want := []string{"a.yml", "b.yaml", "sub/c.json", "sub/deeper/d.YML"}; !slices.Equal(files, want) {
			t.Errorf("files %q, want %q", files, want)
		}
	})

	t.Run("files are named as the user gave the path, joined with the path inside a folder", func(t *testing.T) {
		root := writeTree(t, map[string]string{"dir/x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"})
		t.Chdir(root)
		_, fs, err := Load([]string{"./dir/"}, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || fs[0].Origin.At.File != "dir/x.yaml" {
			t.Errorf("findings %s, want one in dir/x.yaml", fs)
		}
	})

	t.Run("a file is read whatever its extension", func(t *testing.T) {
		root := writeTree(t, map[string]string{"objects.txt": svc("a")})
		inv, _, err := Load([]string{filepath.Join(root, "objects.txt")}, nil, Options{})
		if err != nil || len(inv.Services) != 1 {
			t.Errorf("Load: %v, %d Services", err, len(inv.Services))
		}
	})

	t.Run("stdin is read for - and named <stdin>", func(t *testing.T) {
		inv, fs, err := Load([]string{"-"}, strings.NewReader(svc("a")+"---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := inv.Locations[objRef("Service", "default", "a")]; got != (model.Location{File: "<stdin>", Doc: 1, Line: 1}) {
			t.Errorf("location %v", got)
		}
		if len(fs) != 1 || fs[0].Origin.At.File != "<stdin>" {
			t.Errorf("findings %s", fs)
		}
	})

	t.Run("stdin given twice is an error", func(t *testing.T) {
		_, _, err := Load([]string{"-", "-"}, strings.NewReader(""), Options{})
		if err == nil || err.Error() != `<stdin>: "-" (standard input) is given more than once` {
			t.Errorf("error %v", err)
		}
	})

	t.Run("a missing file is an error naming it", func(t *testing.T) {
		inv, _, err := Load([]string{"does/not/exist.yaml"}, nil, Options{})
		var le *Error
		if !errors.As(err, &le) || err.Error() != "does/not/exist.yaml: cannot read: no such file or directory" || inv != nil {
			t.Errorf("got %v, %v", inv, err)
		}
	})

	t.Run("an object defined in two files is an error finding naming both, and the later file wins", func(t *testing.T) {
		root := writeTree(t, map[string]string{
			"1.yaml": svc("s") + "spec: {ports: [{port: 1}]}\n",
			"2.yaml": "# second\n" + svc("s") + "spec: {ports: [{port: 2}]}\n",
		})
		inv, fs, err := Load([]string{root}, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		wantCodes(t, fs, "MB1002")
		want := "defined twice: first at " + root + "/1.yaml:1 (document 1), again at " + root + "/2.yaml:2 (document 1); the later definition wins"
		if len(fs) == 1 && fs[0].Message != want {
			t.Errorf("message %s\n         want %s", fs[0].Message, want)
		}
		if len(inv.Services) != 1 || inv.Services[0].Spec.Ports[0].Port != 2 {
			t.Errorf("Services %v, want the one from 2.yaml", inv.Services)
		}
	})

	t.Run("the inventory is sorted by namespace and name whatever the order read", func(t *testing.T) {
		inv, _, err := Load([]string{"-"}, strings.NewReader(svc("z")+"---\n"+svc("a")+"---\n"+
			"apiVersion: v1\nkind: Service\nmetadata: {name: m, namespace: a}\n"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range inv.Services {
			got = append(got, s.Namespace+"/"+s.Name)
		}
		if want := []string{"a/m", "default/a", "default/z"}; !slices.Equal(got, want) {
			t.Errorf("order %q, want %q", got, want)
		}
	})

	t.Run("the first bad file stops loading with the findings so far", func(t *testing.T) {
		root := writeTree(t, map[string]string{
			"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			"b.yaml": "kind: [",
		})
		inv, fs, err := Load([]string{root}, nil, Options{})
		if inv != nil || err == nil || !strings.HasPrefix(err.Error(), root+"/b.yaml:1 (document 1): malformed YAML") {
			t.Errorf("got %v, %v", inv, err)
		}
		wantCodes(t, fs, "MB1001")
	})
}
