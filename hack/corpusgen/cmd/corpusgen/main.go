// Command corpusgen writes a deterministic corpus of Istio configuration into a folder, for
// measuring meshbridge (see package corpusgen and docs/performance.md):
//
//	go run ./hack/corpusgen/cmd/corpusgen -n 10000 -out .cache/corpus/mixed-10000
//
// The folder is emptied of *.yaml files first, so that a smaller corpus never keeps files of
// a bigger one. Write corpora outside the repository or under .cache/, which git ignores.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
)

func main() {
	n := flag.Int("n", 10000, "number of objects")
	out := flag.String("out", "", "output folder (default .cache/corpus/<mix>-<n>)")
	mix := flag.String("mix", string(corpusgen.MixMixed), fmt.Sprintf("kinds to write: %v", corpusgen.Mixes))
	seed := flag.Uint64("seed", corpusgen.DefaultSeed, "random seed; the same seed gives the same bytes")
	quiet := flag.Bool("q", false, "print nothing on success")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %v", flag.Args()))
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(".cache", "corpus", fmt.Sprintf("%s-%d", *mix, *n))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		fail(err)
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			fail(err)
		}
	}
	st, err := corpusgen.Generate(corpusgen.Options{Objects: *n, Mix: corpusgen.Mix(*mix), Seed: *seed},
		func(name string, data []byte) error {
			return os.WriteFile(filepath.Join(dir, name), data, 0o644)
		})
	if err != nil {
		fail(err)
	}
	if !*quiet {
		fmt.Printf("%s: %s\n", dir, st)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "corpusgen:", err)
	os.Exit(1)
}
