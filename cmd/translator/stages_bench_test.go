package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/translate/istio"
)

// The stages of convert, benchmarked one by one on the mixed corpus of hack/corpusgen:
// load (files to a sorted inventory), read (inventory to model), write (model to sorted
// objects, for every target of translate.Writers) and print (objects to YAML). Each stage
// starts from the previous stage's result, computed once per corpus size, so that a slow
// writer is run once for Write and its output reused for Print.
//
//	go test ./cmd/translator -run '^$' -bench 'Load|Read|Write|Print' -benchmem
//
// MESHBRIDGE_BENCH_SIZES sets the corpus sizes in objects (default "1000,10000"). A writer
// whose time on a smaller corpus, scaled as if it grew with the square of the size, predicts
// more than MESHBRIDGE_BENCH_MAX (default 20s; 0 for no limit) on a bigger one is skipped there,
// in Write and Print, with the prediction: one slow writer should not make `make bench` slow.
// BenchmarkConvert (convert_bench_test.go) measures them all together, for profiling; the
// whole-process figures come from hack/bench/measure (docs/performance.md).

// benchSizes are the corpus sizes, from MESHBRIDGE_BENCH_SIZES.
func benchSizes(b *testing.B) []int {
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

// benchCorpus is one corpus size and each stage's result on it, filled on demand.
type benchCorpus struct {
	n       int
	files   []corpusgen.File
	bytes   int64
	inv     *inventory.Inventory
	snap    *model.Snapshot
	objects map[string][]*unstructured.Unstructured // by target
	// writeTime is the time per write by target; tooSlow says why a target is skipped.
	writeTime map[string]time.Duration
	tooSlow   map[string]string
}

var benchCorpora = map[int]*benchCorpus{}

func benchCorpusOf(b *testing.B, n int) *benchCorpus {
	if c := benchCorpora[n]; c != nil {
		return c
	}
	files, st, err := corpusgen.Files(corpusgen.Options{Objects: n, Seed: corpusgen.DefaultSeed})
	if err != nil {
		b.Fatal(err)
	}
	c := &benchCorpus{n: n, files: files, bytes: st.Bytes, objects: map[string][]*unstructured.Unstructured{},
		writeTime: map[string]time.Duration{}, tooSlow: map[string]string{}}
	benchCorpora[n] = c
	return c
}

// load decodes every file into one sorted inventory, as load.Load does from disk.
func (c *benchCorpus) load(b *testing.B) *inventory.Inventory {
	inv := &inventory.Inventory{}
	for _, f := range c.files {
		if _, err := load.Decode(inv, f.Name, f.Data, load.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	inv.Sort()
	return inv
}

func (c *benchCorpus) inventory(b *testing.B) *inventory.Inventory {
	if c.inv == nil {
		c.inv = c.load(b)
	}
	return c.inv
}

func (c *benchCorpus) snapshot(b *testing.B) *model.Snapshot {
	if c.snap == nil {
		c.snap, _ = istio.Read(c.inventory(b), istio.Options{})
	}
	return c.snap
}

func (c *benchCorpus) write(b *testing.B, target string) []*unstructured.Unstructured {
	objs, _ := translate.Writers[target](c.snapshot(b), emit.Options{})
	emit.Sort(objs)
	c.objects[target] = objs
	return objs
}

func (c *benchCorpus) written(b *testing.B, target string) []*unstructured.Unstructured {
	if objs, ok := c.objects[target]; ok {
		return objs
	}
	return c.write(b, target)
}

func benchName(n int) string { return fmt.Sprintf("objects=%d", n) }

// benchSkip skips a benchmark and says so even without -v, which go test needs to print the
// reasons of skipped benchmarks.
func benchSkip(b *testing.B, why string) {
	fmt.Printf("%-50s skipped: %s\n", b.Name(), why)
	b.SkipNow()
}

// benchMax is MESHBRIDGE_BENCH_MAX.
func benchMax(b *testing.B) time.Duration {
	v := os.Getenv("MESHBRIDGE_BENCH_MAX")
	if v == "" {
		return 20 * time.Second
	}
	if v == "0" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("MESHBRIDGE_BENCH_MAX=%q: %v", v, err)
	}
	return d
}

// predictSlow says why writing target on c would take too long, judging by the biggest smaller
// corpus it was written on, or "" when it would not.
func predictSlow(b *testing.B, c *benchCorpus, target string) string {
	limit := benchMax(b)
	if limit == 0 {
		return ""
	}
	var prev *benchCorpus
	for _, o := range benchCorpora {
		if _, ok := o.writeTime[target]; ok && o.n < c.n && (prev == nil || o.n > prev.n) {
			prev = o
		}
	}
	if prev == nil {
		return ""
	}
	scale := float64(c.n) / float64(prev.n)
	t := prev.writeTime[target]
	if predicted := time.Duration(float64(t) * scale * scale); predicted > limit {
		return fmt.Sprintf("--to %s took %s on %d objects, which predicts %s on %d if it grows with the square "+
			"of the size, over MESHBRIDGE_BENCH_MAX=%s", target, t.Round(time.Millisecond), prev.n,
			predicted.Round(time.Second), c.n, limit)
	}
	return ""
}

// BenchmarkLoad measures files to a sorted inventory.
func BenchmarkLoad(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(benchName(n), func(b *testing.B) {
			c := benchCorpusOf(b, n)
			b.SetBytes(c.bytes)
			b.ReportAllocs()
			for b.Loop() {
				c.inv = c.load(b)
			}
		})
	}
}

// BenchmarkRead measures the Istio reader: inventory to model.
func BenchmarkRead(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(benchName(n), func(b *testing.B) {
			c := benchCorpusOf(b, n)
			inv := c.inventory(b)
			b.ReportAllocs()
			for b.Loop() {
				c.snap, _ = istio.Read(inv, istio.Options{})
			}
		})
	}
}

// BenchmarkWrite measures each writer: model to sorted objects.
func BenchmarkWrite(b *testing.B) {
	for _, n := range benchSizes(b) {
		for _, target := range translate.Targets() {
			b.Run(benchName(n)+"/to="+target, func(b *testing.B) {
				c := benchCorpusOf(b, n)
				if why := predictSlow(b, c, target); why != "" {
					c.tooSlow[target] = why
					benchSkip(b, why)
				}
				c.snapshot(b)
				b.ReportAllocs()
				for b.Loop() {
					c.write(b, target)
				}
				c.writeTime[target] = b.Elapsed() / time.Duration(b.N)
				b.ReportMetric(float64(len(c.objects[target])), "objects")
			})
		}
	}
}

// BenchmarkPrint measures rendering the translated objects as YAML, as convert prints them.
func BenchmarkPrint(b *testing.B) {
	for _, n := range benchSizes(b) {
		for _, target := range translate.Targets() {
			b.Run(benchName(n)+"/to="+target, func(b *testing.B) {
				c := benchCorpusOf(b, n)
				if why := c.tooSlow[target]; why != "" {
					benchSkip(b, why)
				}
				objs := c.written(b, target)
				b.ReportAllocs()
				for b.Loop() {
					if err := printObjects(io.Discard, objs, "yaml"); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(objs)), "objects")
			})
		}
	}
}
