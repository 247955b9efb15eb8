package controller

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/translate"
)

// repacked returns a copy of inv whose networking and security objects went through pack and
// unpack one by one, as the decodeCache keeps them.
func repacked(t *testing.T, inv *inventory.Inventory) *inventory.Inventory {
	t.Helper()
	out := *inv
	out.VirtualServices, out.DestinationRules, out.Gateways, out.AuthorizationPolicies, out.PeerAuthentications = nil, nil, nil, nil, nil
	var ones []*inventory.Inventory
	for _, o := range inv.VirtualServices {
		ones = append(ones, &inventory.Inventory{VirtualServices: []*networkingv1.VirtualService{o}})
	}
	for _, o := range inv.DestinationRules {
		ones = append(ones, &inventory.Inventory{DestinationRules: []*networkingv1.DestinationRule{o}})
	}
	for _, o := range inv.Gateways {
		ones = append(ones, &inventory.Inventory{Gateways: []*networkingv1.Gateway{o}})
	}
	for _, o := range inv.AuthorizationPolicies {
		ones = append(ones, &inventory.Inventory{AuthorizationPolicies: []*securityv1.AuthorizationPolicy{o}})
	}
	for _, o := range inv.PeerAuthentications {
		ones = append(ones, &inventory.Inventory{PeerAuthentications: []*securityv1.PeerAuthentication{o}})
	}
	for _, one := range ones {
		p := pack(one)
		if p == nil {
			t.Fatalf("could not pack %+v", one)
		}
		if err := p.unpack(&out); err != nil {
			t.Fatal(err)
		}
	}
	return &out
}

// TestPackedObjectsTranslateAsDecoded holds packing to losing nothing a translation reads: on
// every fixture and a generated corpus, for every target, the objects and findings of the
// repacked input are byte for byte those of the input as decoded.
func TestPackedObjectsTranslateAsDecoded(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "fixtures", "*", "input.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures found (%v)", err)
	}
	inputs := map[string][]string{}
	for _, p := range paths {
		inputs[filepath.Base(filepath.Dir(p))] = []string{p}
	}
	files, _, err := corpusgen.Files(corpusgen.Options{Objects: 1500, Seed: corpusgen.DefaultSeed})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		inputs["generated mixed corpus"] = append(inputs["generated mixed corpus"], p)
	}
	compared := 0
	for name, files := range inputs {
		inv, _, err := load.Load(files, nil, load.Options{})
		if err != nil {
			continue // fixtures of bad input
		}
		again := repacked(t, inv)
		again.Sort()
		for _, to := range translate.Targets() {
			want, errWant := translate.Translate(inv, translate.Options{To: to})
			got, errGot := translate.Translate(again, translate.Options{To: to})
			if (errWant == nil) != (errGot == nil) {
				t.Errorf("%s --to %s: error %v, repacked %v", name, to, errWant, errGot)
				continue
			}
			w, _ := json.Marshal([]any{want.Objects, want.Findings})
			g, _ := json.Marshal([]any{got.Objects, got.Findings})
			if string(w) != string(g) {
				t.Errorf("%s --to %s: the repacked input translates differently", name, to)
			}
			compared++
		}
	}
	if compared < 100 {
		t.Errorf("only %d translations compared", compared)
	}
}
