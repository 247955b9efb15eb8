// Command measure runs `translator convert` as a whole process on generated corpora, beside
// the floor program (hack/bench/floor) on the same files, and prints CPU time (user+sys),
// wall time and peak memory (max RSS, from the child's rusage) with their ratios to the
// floor. `make bench` runs it; see docs/performance.md.
//
//	measure -translator bin/translator -floor .cache/bench/floor \
//	        -corpora mixed:10000,vs-ap:40000,mixed:100000 -runs 3 [-doc docs/performance.md]
//
// Corpora are generated with hack/corpusgen into -cache. Runs are interleaved (floor, each
// target, floor, each target, …) so that the load of a shared machine falls on all programs
// alike, and medians are reported. A run that exceeds -timeout is stopped and reported; a
// target that timed out on one corpus is not run on bigger ones. With -budget, each corpus
// gets a share of the time left in proportion to its size, and a round of runs after the
// first is started only when the last round's duration still fits in that share.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
)

type config struct {
	translator, floor, cache, doc string
	corpora                       []corpusSpec
	targets                       []string
	runs, runsLarge               int
	timeout, budget               time.Duration
}

type corpusSpec struct {
	mix corpusgen.Mix
	n   int
}

func (c corpusSpec) name() string { return fmt.Sprintf("%s-%d", c.mix, c.n) }

func main() {
	var cfg config
	var corpora, targets string
	flag.StringVar(&cfg.translator, "translator", "bin/translator", "translator binary")
	flag.StringVar(&cfg.floor, "floor", ".cache/bench/floor", "floor binary (hack/bench/floor)")
	flag.StringVar(&cfg.cache, "cache", ".cache/bench/corpus", "folder for generated corpora")
	flag.StringVar(&corpora, "corpora", "mixed:10000,vs-ap:40000,mixed:100000", "corpora as mix:objects, comma-separated")
	flag.StringVar(&targets, "targets", "", "targets, comma-separated (default: every --to value the translator lists)")
	flag.IntVar(&cfg.runs, "runs", 3, "runs per program on corpora up to 50000 objects")
	flag.IntVar(&cfg.runsLarge, "runs-large", 1, "runs per program on bigger corpora")
	flag.DurationVar(&cfg.timeout, "timeout", 90*time.Second, "limit per run")
	flag.DurationVar(&cfg.budget, "budget", 0, "time for all the runs (0: no limit); runs after the first are dropped to keep within it")
	flag.StringVar(&cfg.doc, "doc", "", "also write the results into this Markdown file, between its bench markers")
	flag.Parse()

	var err error
	if cfg.corpora, err = parseCorpora(corpora); err != nil {
		fail(err)
	}
	if targets != "" {
		cfg.targets = strings.Split(targets, ",")
	} else if cfg.targets, err = listTargets(cfg.translator); err != nil {
		fail(err)
	}
	m := machineInfo()
	started := time.Now()
	results, err := measureAll(cfg)
	if err != nil {
		fail(err)
	}
	m.loadAfter = loadAverage()
	report := render(cfg, m, results, time.Since(started))
	fmt.Print(report)
	if cfg.doc != "" {
		if err := updateDoc(cfg.doc, report); err != nil {
			fail(err)
		}
		fmt.Printf("\nwrote the figures into %s\n", cfg.doc)
	}
}

func parseCorpora(s string) ([]corpusSpec, error) {
	var out []corpusSpec
	for _, part := range strings.Split(s, ",") {
		mix, n, ok := strings.Cut(strings.TrimSpace(part), ":")
		count, err := strconv.Atoi(n)
		if !ok || err != nil || count <= 0 || !slices.Contains(corpusgen.Mixes, corpusgen.Mix(mix)) {
			return nil, fmt.Errorf("corpus %q: want mix:objects with mix one of %v", part, corpusgen.Mixes)
		}
		out = append(out, corpusSpec{corpusgen.Mix(mix), count})
	}
	return out, nil
}

var targetsRE = regexp.MustCompile(`target: ([a-z|]+)`)

// listTargets reads the --to values from the translator's help.
func listTargets(translator string) ([]string, error) {
	out, err := exec.Command(translator, "convert", "--help").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s convert --help: %v\n%s", translator, err, out)
	}
	m := targetsRE.FindSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("%s convert --help lists no targets", translator)
	}
	return strings.Split(string(m[1]), "|"), nil
}

// generate writes the corpus into the cache, afresh, and returns its folder and size.
func generate(cfg config, c corpusSpec) (string, corpusgen.Stats, error) {
	dir := filepath.Join(cfg.cache, c.name())
	if err := os.RemoveAll(dir); err != nil {
		return "", corpusgen.Stats{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", corpusgen.Stats{}, err
	}
	st, err := corpusgen.Generate(corpusgen.Options{Objects: c.n, Mix: c.mix, Seed: corpusgen.DefaultSeed},
		func(name string, data []byte) error { return os.WriteFile(filepath.Join(dir, name), data, 0o644) })
	return dir, st, err
}

// measureAll runs every program on every corpus.
func measureAll(cfg config) ([]corpusResult, error) {
	var all []corpusResult
	timedOut := map[string]bool{}
	start := time.Now()
	for ci, c := range cfg.corpora {
		dir, st, err := generate(cfg, c)
		if err != nil {
			return nil, err
		}
		cr := corpusResult{spec: c, stats: st}
		progs := []program{{name: "floor", args: []string{cfg.floor, "-f", dir}}}
		for _, t := range cfg.targets {
			p := program{name: t, target: t, args: []string{cfg.translator, "convert", "-f", dir, "--to", t, "--fail-on", "never"}}
			if timedOut[t] {
				p.skipped = "timed out on a smaller corpus"
			}
			progs = append(progs, p)
		}
		runs := cfg.runs
		if c.n > 50000 {
			runs = cfg.runsLarge
		}
		share := time.Duration(0) // this corpus's part of the budget
		if cfg.budget > 0 {
			left, rest := cfg.budget-time.Since(start), 0
			for _, d := range cfg.corpora[ci:] {
				rest += d.n
			}
			share = time.Duration(float64(left) * float64(c.n) / float64(rest))
		}
		fmt.Fprintf(os.Stderr, "%s: %s\n", c.name(), st)
		corpusStart := time.Now()
		var lastRound time.Duration
		for i := range runs {
			if i > 0 && share > 0 && time.Since(corpusStart)+lastRound > share {
				fmt.Fprintf(os.Stderr, "  %d of %d runs, to keep within -budget %s\n", i, runs, cfg.budget)
				break
			}
			roundStart := time.Now()
			for j := range progs {
				p := &progs[j]
				if p.skipped != "" || p.failed != "" {
					continue
				}
				r := runOnce(context.Background(), p.args, cfg.timeout)
				fmt.Fprintf(os.Stderr, "  run %d/%d %-10s %s\n", i+1, runs, p.name, r)
				switch {
				case r.timedOut:
					p.skipped = fmt.Sprintf("stopped after %s", cfg.timeout)
					timedOut[p.name] = true
				case r.err != "":
					p.failed = r.err
				default:
					p.runs = append(p.runs, r)
				}
			}
			lastRound = time.Since(roundStart)
		}
		cr.programs = progs
		all = append(all, cr)
	}
	return all, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "measure:", err)
	os.Exit(1)
}
