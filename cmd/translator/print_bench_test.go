package main

import (
	"fmt"
	"io"
	"testing"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/translate"
)

// BenchmarkPrint measures rendering translated objects as YAML, the last stage of convert, on
// the translation of a generated corpus (see package bench for the other stages).
func BenchmarkPrint(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		files, _, err := corpusgen.Files(corpusgen.Options{Objects: n, Seed: corpusgen.DefaultSeed})
		if err != nil {
			b.Fatal(err)
		}
		inv := &inventory.Inventory{}
		for _, f := range files {
			if _, err := load.Decode(inv, f.Name, f.Data, load.Options{}); err != nil {
				b.Fatal(err)
			}
		}
		inv.Sort()
		for _, target := range translate.Targets() {
			b.Run(fmt.Sprintf("objects=%d/to=%s", n, target), func(b *testing.B) {
				res, err := translate.Translate(inv, translate.Options{To: target})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := printObjects(io.Discard, res.Objects, "yaml"); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(res.Objects)), "objects")
			})
		}
	}
}
