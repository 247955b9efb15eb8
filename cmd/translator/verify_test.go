package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

const fixtures = "../../fixtures"

func fixture(name string) string { return filepath.Join(fixtures, name, "input.yaml") }

func TestVerifyTranslatesFirstWithTo(t *testing.T) {
	stdout, stderr, code := run(t, "", "verify", "-f", fixture("mesh-weighted-canary"), "--to", "gatewayapi")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "0 widened") || !strings.Contains(stdout, "routed requests to 1 Services") {
		t.Errorf("the report does not say what it checked:\n%s", stdout)
	}
}

// TestVerifyCatchesAHandEditedSource translates for OSM, adds a source to the emitted
// TrafficTarget as a hand edit would, and wants verify -t to name the request it lets through.
func TestVerifyCatchesAHandEditedSource(t *testing.T) {
	out, stderr, code := run(t, "", "convert", "-f", fixture("authz-allow-principal-methods-paths"), "--to", "smi", "--mesh", "osm", "--fail-on", "never")
	if code != 0 {
		t.Fatalf("convert exit %d: %s", code, stderr)
	}
	// The TrafficTarget to reviews admits frontend; add a second source.
	const source = "  sources:\n  - kind: ServiceAccount\n    name: frontend\n    namespace: shop\n"
	docs := strings.Split(out, "---\n")
	edited := ""
	for i, d := range docs {
		if strings.Contains(d, "kind: TrafficTarget") && strings.Contains(d, "destination:\n    kind: ServiceAccount\n    name: reviews\n") && strings.Contains(d, source) {
			docs[i] = strings.Replace(d, source, source+"  - kind: ServiceAccount\n    name: intruder\n    namespace: shop\n", 1)
			edited = strings.Join(docs, "---\n")
		}
	}
	if edited == "" {
		t.Fatalf("no TrafficTarget from frontend to reviews in:\n%s", out)
	}
	translated := writeFile(t, t.TempDir(), "smi.yaml", edited)

	stdout, _, code := run(t, "", "verify", "-f", fixture("authz-allow-principal-methods-paths"), "-t", translated, "--mesh", "osm")
	if code != 2 {
		t.Errorf("exit %d, want 2 for a widened request", code)
	}
	for _, want := range []string{"WIDENED", "from cluster.local/ns/shop/sa/intruder", "istio: deny", "smi: allow by TrafficTarget shop/"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the report lacks %q:\n%s", want, stdout)
		}
	}
	// The unedited output passes, with the target inferred from the objects.
	unedited := writeFile(t, t.TempDir(), "smi.yaml", out)
	if stdout, _, code := run(t, "", "verify", "-f", fixture("authz-allow-principal-methods-paths"), "-t", unedited, "--mesh", "osm"); code != 0 {
		t.Errorf("exit %d on the translation itself:\n%s", code, stdout)
	}
}

func TestVerifyReportFormats(t *testing.T) {
	in := fixture("authz-deny-beside-allow")
	stdout, _, code := run(t, "", "verify", "-f", in, "--to", "smi", "--report", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		Target  string
		Summary struct{ Workloads, Requests, Widened, Narrowed int }
		Access  []struct {
			Workload string
			Narrowed []struct {
				Example    map[string]any
				ReportedBy []string
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if rep.Target != "smi" || rep.Summary.Workloads != 3 || rep.Summary.Narrowed == 0 || rep.Summary.Widened != 0 {
		t.Errorf("summary %+v", rep.Summary)
	}
	stdout, _, _ = run(t, "", "verify", "-f", in, "--to", "smi", "--report", "markdown")
	if !strings.Contains(stdout, "### translator verify: smi") || !strings.Contains(stdout, "| access | workload | request |") {
		t.Errorf("markdown report:\n%s", stdout)
	}
	// --fail-on any fails on the narrowed requests.
	if _, _, code := run(t, "", "verify", "-f", in, "--to", "smi", "--fail-on", "any"); code != 2 {
		t.Errorf("--fail-on any: exit %d, want 2", code)
	}
}

func TestVerifyRejectsBadFlags(t *testing.T) {
	unknown := writeFile(t, t.TempDir(), "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
	for _, args := range [][]string{
		{"verify", "-f", fixture("authz-deny-beside-allow")},
		{"verify", "-f", fixture("authz-deny-beside-allow"), "--to", "consul"},
		{"verify", "-f", fixture("authz-deny-beside-allow"), "--to", "smi", "--fail-on", "sometimes"},
		{"verify", "-f", "-", "-t", "-", "--to", "smi"},
		{"verify", "-f", fixture("authz-deny-beside-allow"), "-t", unknown},
	} {
		stdout, stderr, code := run(t, "", args...)
		if code != 1 || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}
