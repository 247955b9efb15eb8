package gatewayapi

import (
	"hash/maphash"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func TestReportKeepsEachFindingOnce(t *testing.T) {
	snap := snapshot()
	w := &writer{snap: snap, inv: &snap.Inventory, seen: map[uint64]int{}, seed: maphash.MakeSeed()}
	o := origin("VirtualService", "shop", "web")
	t.Run("a finding reported twice is kept once", func(t *testing.T) {
		w.report(model.CodeGWRouteSplit, o, "spec.http", "a")
		w.report(model.CodeGWRouteSplit, o, "spec.http", "a")
		if len(w.findings) != 1 {
			t.Errorf("findings = %v", w.findings)
		}
	})
	t.Run("a finding whose hash an earlier one has is kept, once", func(t *testing.T) {
		b := model.NewFinding(Name, model.CodeGWRouteSplit, o, "spec.http", "b")
		w.seen[maphash.Comparable(w.seed, keyOf(b))] = 0 // as if "a" had b's hash
		w.report(model.CodeGWRouteSplit, o, "spec.http", "b")
		w.report(model.CodeGWRouteSplit, o, "spec.http", "b")
		w.report(model.CodeGWRouteSplit, o, "spec.http", "a")
		if len(w.findings) != 2 || w.findings[1].Message != "b" {
			t.Errorf("findings = %v", w.findings)
		}
	})
}
