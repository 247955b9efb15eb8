package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTestRunsOurFixtures runs the project's own golden cases through translator test.
func TestTestRunsOurFixtures(t *testing.T) {
	stdout, stderr, code := run(t, "", "test", fixtures)
	if code != 0 {
		t.Errorf("exit %d: %s\n%s", code, stderr, stdout)
	}
	if !strings.Contains(stdout, "ok   ../../fixtures/mesh-weighted-canary") {
		t.Errorf("no line for a known case:\n%s", stdout)
	}
}

// copyCase copies a fixture folder into a temporary folder of cases.
func copyCase(t *testing.T, name string) (root, dir string) {
	t.Helper()
	root = t.TempDir()
	dir = filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(fixtures, name, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, e.Name(), string(b))
	}
	return root, dir
}

func TestTestShowsADiffForAnEditedGolden(t *testing.T) {
	root, dir := copyCase(t, "mesh-weighted-canary")
	golden := filepath.Join(dir, "gatewayapi.yaml")
	b, _ := os.ReadFile(golden)
	edited := strings.Replace(string(b), "weight: 75", "weight: 70", 1)
	if edited == string(b) {
		t.Fatalf("no weight to edit in:\n%s", b)
	}
	writeFile(t, dir, "gatewayapi.yaml", edited)

	stdout, stderr, code := run(t, "", "test", root)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"FAIL " + dir, golden + " differs (- expected, + got)", "-       weight: 70", "+       weight: 75", "1 cases, 1 failed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "1 of 1 cases failed") {
		t.Errorf("stderr: %s", stderr)
	}

	// --update accepts the current output, and the case passes again.
	if stdout, _, code := run(t, "", "test", root, "--update"); code != 0 || !strings.Contains(stdout, "updated "+dir) {
		t.Errorf("--update: exit %d\n%s", code, stdout)
	}
	if got, _ := os.ReadFile(golden); string(got) != string(b) {
		t.Errorf("--update did not restore the golden file")
	}
	if _, _, code := run(t, "", "test", root); code != 0 {
		t.Errorf("exit %d after --update", code)
	}
}

func TestTestVerifyFailsOnAWidenedCase(t *testing.T) {
	root, _ := copyCase(t, "mesh-weighted-canary")
	if stdout, _, code := run(t, "", "test", root, "--verify"); code != 0 {
		t.Errorf("a routing case fails --verify: exit %d\n%s", code, stdout)
	}
	if _, stderr, code := run(t, "", "test", filepath.Join(root, "missing")); code != 1 || !strings.Contains(stderr, "missing") {
		t.Errorf("a missing folder: exit %d, %s", code, stderr)
	}
}
