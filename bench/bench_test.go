package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/translate/istio"
)

// sizes are the corpus sizes benchmarked, from MESHBRIDGE_BENCH_SIZES.
func sizes(b *testing.B) []int {
	spec := os.Getenv("MESHBRIDGE_BENCH_SIZES")
	if spec == "" {
		spec = "1000,10000"
	}
	var out []int
	for _, s := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			b.Fatalf("MESHBRIDGE_BENCH_SIZES=%q: %q is not a positive number", spec, s)
		}
		out = append(out, n)
	}
	return out
}

var corpora sync.Map // int -> []corpusgen.File

// corpus returns the mixed corpus of n objects, generated once per process.
func corpus(b *testing.B, n int) []corpusgen.File {
	if v, ok := corpora.Load(n); ok {
		return v.([]corpusgen.File)
	}
	files, _, err := corpusgen.Files(corpusgen.Options{Objects: n, Seed: corpusgen.DefaultSeed})
	if err != nil {
		b.Fatal(err)
	}
	corpora.Store(n, files)
	return files
}

func corpusBytes(files []corpusgen.File) int64 {
	var n int64
	for _, f := range files {
		n += int64(len(f.Data))
	}
	return n
}

// loadAll decodes every file into one sorted inventory, as load.Load does from disk.
func loadAll(b *testing.B, files []corpusgen.File) (*inventory.Inventory, model.Findings) {
	inv := &inventory.Inventory{}
	var all model.Findings
	for _, f := range files {
		fs, err := load.Decode(inv, f.Name, f.Data, load.Options{})
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, fs...)
	}
	inv.Sort()
	return inv, all
}

func name(n int) string { return fmt.Sprintf("objects=%d", n) }

// BenchmarkLoad measures files to a sorted inventory.
func BenchmarkLoad(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(name(n), func(b *testing.B) {
			files := corpus(b, n)
			b.SetBytes(corpusBytes(files))
			b.ReportAllocs()
			for b.Loop() {
				loadAll(b, files)
			}
		})
	}
}

// BenchmarkRead measures the Istio reader: inventory to model.
func BenchmarkRead(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(name(n), func(b *testing.B) {
			inv, _ := loadAll(b, corpus(b, n))
			b.ReportAllocs()
			for b.Loop() {
				istio.Read(inv, istio.Options{})
			}
		})
	}
}

// BenchmarkWrite measures each writer: model to sorted objects.
func BenchmarkWrite(b *testing.B) {
	for _, n := range sizes(b) {
		for _, target := range translate.Targets() {
			b.Run(name(n)+"/to="+target, func(b *testing.B) {
				inv, _ := loadAll(b, corpus(b, n))
				snap, _ := istio.Read(inv, istio.Options{})
				write := translate.Writers[target]
				b.ReportAllocs()
				for b.Loop() {
					objs, _ := write(snap, emit.Options{})
					emit.Sort(objs)
				}
			})
		}
	}
}

// BenchmarkTranslate measures the whole pipeline in process (load, read, write), without
// printing.
func BenchmarkTranslate(b *testing.B) {
	for _, n := range sizes(b) {
		for _, target := range translate.Targets() {
			b.Run(name(n)+"/to="+target, func(b *testing.B) {
				files := corpus(b, n)
				b.SetBytes(corpusBytes(files))
				b.ReportAllocs()
				for b.Loop() {
					inv, _ := loadAll(b, files)
					if _, err := translate.Translate(inv, translate.Options{To: target}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
