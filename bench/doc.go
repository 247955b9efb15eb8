// Package bench holds the per-stage benchmarks of a translation, run on corpora from
// hack/corpusgen: load (files to the typed inventory), read (inventory to model), write (model
// to objects, once per target in translate.Writers) and the whole pipeline in process.
// Printing is benchmarked beside the printer, in cmd/translator.
//
//	go test ./bench -run '^$' -bench . -benchmem
//
// MESHBRIDGE_BENCH_SIZES sets the corpus sizes in objects (default "1000,10000"). The
// whole-process figures (CPU, wall, peak memory against a floor) come from hack/bench; see
// docs/performance.md.
package bench
