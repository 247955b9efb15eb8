package cases_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/verify/cases"
)

const input = `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
`

func newCase(t *testing.T, files map[string]string) cases.Case {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "canary")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := cases.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUpdateThenCheckPasses(t *testing.T) {
	c := newCase(t, map[string]string{cases.InputFile: input, cases.OptionsFile: "mesh: {smi: osm}\n"})
	if c.Options.Mesh["smi"] != "osm" {
		t.Fatalf("case.yaml not read: %+v", c.Options)
	}
	first, err := c.Check(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if first.OK() || !first.Mismatches[0].Missing {
		t.Fatalf("a new case passes without expected files: %+v", first.Mismatches)
	}
	up, err := c.Check(nil, true)
	if err != nil || len(up.Updated) == 0 {
		t.Fatalf("update wrote nothing: %v %v", up.Updated, err)
	}
	again, err := c.Check(nil, false)
	if err != nil || !again.OK() {
		t.Fatalf("the case fails right after --update: %v %v", again.Mismatches, err)
	}
	findings, _ := os.ReadFile(filepath.Join(c.Dir, cases.FindingsFile))
	if !strings.Contains(string(findings), "input.yaml") {
		t.Errorf("findings do not name input.yaml:\n%s", findings)
	}
}

func TestAnEditedGoldenShowsADiff(t *testing.T) {
	c := newCase(t, map[string]string{cases.InputFile: input})
	if _, err := c.Check(nil, true); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(c.Dir, "gatewayapi.yaml")
	b, _ := os.ReadFile(p)
	edited := strings.Replace(string(b), "kind: HTTPRoute", "kind: GRPCRoute", 1)
	if edited == string(b) {
		t.Fatalf("nothing to edit in:\n%s", b)
	}
	_ = os.WriteFile(p, []byte(edited), 0o644)
	got, err := c.Check(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Mismatches) != 1 || got.Mismatches[0].Path != p {
		t.Fatalf("mismatches %v, want one for %s", got.Mismatches, p)
	}
	msg := got.Mismatches[0].String()
	if !strings.Contains(msg, "- kind: GRPCRoute") || !strings.Contains(msg, "+ kind: HTTPRoute") {
		t.Errorf("the diff does not show the edit:\n%s", msg)
	}
}

func TestBadInputIsCheckedAgainstErrorTxt(t *testing.T) {
	c := newCase(t, map[string]string{cases.InputFile: "kind: [\n"})
	if _, err := c.Check(nil, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, cases.ErrorFile)); err != nil {
		t.Fatalf("update wrote no error.txt: %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, cases.FindingsFile)); err == nil {
		t.Errorf("a refused input has a findings.txt")
	}
	// The input is fixed: error.txt no longer holds.
	_ = os.WriteFile(filepath.Join(c.Dir, cases.InputFile), []byte(input), 0o644)
	got, err := c.Check([]string{"gatewayapi"}, false)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range got.Mismatches {
		found = found || strings.HasSuffix(m.Path, cases.ErrorFile)
	}
	if !found {
		t.Errorf("a stale error.txt passes: %v", got.Mismatches)
	}
}

func TestListFindsCases(t *testing.T) {
	cs, err := cases.List("../../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 12 {
		t.Errorf("found %d fixture cases, want at least 12", len(cs))
	}
	if _, err := cases.List(t.TempDir()); err == nil {
		t.Errorf("an empty folder lists without error")
	}
}
