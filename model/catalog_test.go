package model

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/internal/golden"
)

func TestCatalogEntriesAreCompleteAndUnique(t *testing.T) {
	seen := map[Code]bool{}
	valid := regexp.MustCompile(`^MB[1-7][0-9]{3}$`)
	for _, e := range Catalog() {
		if seen[e.Code] {
			t.Errorf("code %s is listed twice", e.Code)
		}
		seen[e.Code] = true
		if !valid.MatchString(string(e.Code)) {
			t.Errorf("code %q does not look like MB1234", e.Code)
		}
		if e.Title == "" || e.Meaning == "" || e.Remedy == "" {
			t.Errorf("%s lacks a title, meaning or remedy", e.Code)
		}
	}
}

func TestNewFindingTakesSeverityFromTheCatalog(t *testing.T) {
	f := NewFinding("load", CodeDuplicateObject, Origin{Object: ObjectRef{Kind: "VirtualService", Namespace: "ns", Name: "a"}}, "metadata.name", "defined %d times", 2)
	if f.Severity != Error || f.Message != "defined 2 times" {
		t.Errorf("got %+v", f)
	}
	defer func() {
		if recover() == nil {
			t.Error("an unknown code did not panic")
		}
	}()
	NewFinding("load", Code("MB9999"), Origin{}, "", "x")
}

func TestSortedFindingsAreOrderedAndDeduplicated(t *testing.T) {
	a := NewFinding("istio", CodeFieldNotTranslated, Origin{Object: ObjectRef{Kind: "VirtualService", Name: "b"}, At: Location{File: "x.yaml", Doc: 2}}, "spec.http[0].fault", "field is not translated")
	b := NewFinding("istio", CodeFieldNotTranslated, Origin{Object: ObjectRef{Kind: "VirtualService", Name: "a"}, At: Location{File: "x.yaml", Doc: 1}}, "spec", "field is not translated")
	got := Findings{a, b, a}.Sorted()
	if len(got) != 2 || got[0].Origin.Object.Name != "a" || got[1].Origin.Object.Name != "b" {
		t.Errorf("Sorted() = %v", got)
	}
}

// TestImportBoundary keeps the model neutral: it may not import Istio, SMI, Gateway API or
// controller packages (DESIGN.md).
func TestImportBoundary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"istio.io/", "smi-sdk-go", "sigs.k8s.io/gateway-api", "sigs.k8s.io/controller-runtime", "k8s.io/"} {
			if strings.Contains(dep, banned) {
				t.Errorf("model depends on %s", dep)
			}
		}
	}
}

// TestFindingsDocIsCurrent keeps docs/findings.md generated from the catalog.
func TestFindingsDocIsCurrent(t *testing.T) {
	path := "../docs/findings.md"
	if _, err := os.Stat("../docs"); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, path, []byte(CatalogMarkdown()))
}
