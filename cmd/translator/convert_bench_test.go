package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
	"github.com/meshbridge/meshbridge/translate"
)

// BenchmarkConvert measures convert in process, from files on disk to rendered objects and
// findings, for profiling (-cpuprofile, -memprofile) what the whole-process figures of
// hack/bench/measure show. MESHBRIDGE_BENCH_MIX picks the corpus mix (default mixed) and
// MESHBRIDGE_BENCH_SIZES its sizes in objects (default "1000,10000"):
//
//	MESHBRIDGE_BENCH_MIX=vs-ap MESHBRIDGE_BENCH_SIZES=40000 go test ./cmd/translator -run '^$' \
//	    -bench 'Convert/.*/.*/to=gatewayapi' -benchtime 1x -cpuprofile cpu.out
func BenchmarkConvert(b *testing.B) {
	mix := corpusgen.Mix(os.Getenv("MESHBRIDGE_BENCH_MIX"))
	if mix == "" {
		mix = corpusgen.MixMixed
	}
	for _, n := range benchSizes(b) {
		dir := b.TempDir()
		if _, err := corpusgen.Generate(corpusgen.Options{Objects: n, Mix: mix, Seed: corpusgen.DefaultSeed},
			func(name string, data []byte) error { return os.WriteFile(filepath.Join(dir, name), data, 0o644) }); err != nil {
			b.Fatal(err)
		}
		for _, target := range translate.Targets() {
			b.Run(fmt.Sprintf("mix=%s/objects=%d/to=%s", mix, n, target), func(b *testing.B) {
				o := &convertOptions{files: []string{dir}, to: target, channel: "standard", output: "yaml",
					report: "text", failOn: "never", namespace: "default", rootNamespace: "istio-system",
					clusterDomain: "cluster.local", trustDom: "cluster.local"}
				b.ReportAllocs()
				for b.Loop() {
					if code, msg := runConvert(o, nil, io.Discard, io.Discard); code != exitOK {
						b.Fatalf("exit %d: %s", code, msg)
					}
				}
			})
		}
	}
}
