// Command measure runs `translator convert` as a whole process on generated corpora, beside
// the floor program (hack/bench/floor) on the same files, and prints CPU time (user+sys),
// wall time and peak memory (max RSS, from the child's rusage) with their ratios to the
// floor. `make bench` runs it; see docs/performance.md.
//
//	measure -translator bin/translator -floor .cache/bench/floor \
//	        -corpora mixed:10000,vs-ap:40000,mixed:100000 -runs 3 [-doc docs/performance.md]
//
// Corpora are generated with hack/corpusgen into -cache and measured smallest first. Corpora
// up to 50k objects get -runs rounds (fewer when they would take more than 55% of -budget),
// bigger ones -runs-large; each round runs the floor and then every target once, interleaved so
// that the load of a shared machine falls on all programs alike, and medians are reported.
//
// A target far from the floor is not repeated: a first run over -slow times the floor's CPU time
// is figure enough, and such a target is not run on bigger corpora either. A run is stopped after
// -timeout or -timeout-factor times the floor's wall time on that corpus, whichever is longer,
// but never beyond -budget; a target stopped on one corpus is not run on bigger ones.
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

	"github.com/meshbridge/meshbridge/hack/bench/docsection"
)

type config struct {
	translator, floor, cache, doc string
	stages                        string
	corpora                       []corpusSpec
	targets                       []string
	runs, runsLarge               int
	timeout, budget               time.Duration
	slow, timeoutFactor           float64
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
	flag.DurationVar(&cfg.timeout, "timeout", 60*time.Second, "limit per run (at least; see -timeout-factor)")
	flag.Float64Var(&cfg.timeoutFactor, "timeout-factor", 5, "limit per run as a multiple of the floor's wall time on the corpus")
	flag.Float64Var(&cfg.slow, "slow", 3, "a target over this multiple of the floor's CPU time in its first run is run once, and not on bigger corpora")
	flag.DurationVar(&cfg.budget, "budget", 0, "time for all the runs (0: no limit): small corpora get at most 55% of it, and no run goes beyond it")
	flag.StringVar(&cfg.doc, "doc", "", "also write the results into this Markdown file, between its bench markers")
	flag.StringVar(&cfg.stages, "stages", "", "a file of `go test -bench` output of the stage benchmarks, to render as a table too")
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
	stages := ""
	if cfg.stages != "" {
		f, err := os.Open(cfg.stages)
		if err != nil {
			fail(err)
		}
		rows, sizes, err := parseStages(f)
		f.Close()
		if err != nil {
			fail(err)
		}
		stages = renderStages(rows, sizes)
		fmt.Print("\nStage benchmarks (one run each):\n\n" + stages)
	}
	if cfg.doc != "" {
		if err := docsection.Replace(cfg.doc, beginMarker, endMarker, report); err != nil {
			fail(err)
		}
		if stages != "" {
			if err := docsection.Replace(cfg.doc, stagesBegin, stagesEnd, stages); err != nil {
				fail(err)
			}
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
	results := make([]corpusResult, len(cfg.corpora))
	for i, c := range cfg.corpora {
		dir, st, err := generate(cfg, c)
		if err != nil {
			return nil, err
		}
		results[i] = corpusResult{spec: c, stats: st, programs: []program{{name: "floor", args: []string{cfg.floor, "-f", dir}}}}
		for _, t := range cfg.targets {
			results[i].programs = append(results[i].programs, program{name: t, target: t,
				args: []string{cfg.translator, "convert", "-f", dir, "--to", t, "--fail-on", "never"}})
		}
		fmt.Fprintf(os.Stderr, "%s: %s\n", c.name(), st)
	}
	start := time.Now()
	deadline := time.Time{}
	if cfg.budget > 0 {
		deadline = start.Add(cfg.budget)
	}
	order := make([]int, len(results))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return results[a].spec.n - results[b].spec.n })
	dropped := map[string]string{} // target -> why it is not run on bigger corpora
	for _, i := range order {
		c := &results[i]
		for j := range c.programs[1:] {
			p := &c.programs[j+1]
			if why, ok := dropped[p.target]; ok {
				p.skipped = why
			}
		}
		runs := cfg.runs
		if c.spec.n > 50000 {
			runs = cfg.runsLarge
		}
		for r := 1; r <= runs; r++ {
			if r > 1 && cfg.budget > 0 && time.Since(start)+c.nextRound() > cfg.budget*smallShare/100 {
				c.cut = true
				fmt.Fprintf(os.Stderr, "%s: %d of %d runs, to keep within -budget %s\n", c.spec.name(), r-1, runs, cfg.budget)
				break
			}
			round(cfg, c, r, deadline)
		}
		for _, p := range c.programs[1:] {
			if _, ok := dropped[p.target]; !ok && (p.slow || p.skipped != "") {
				dropped[p.target] = fmt.Sprintf("not run: too slow on %s", c.spec.name())
			}
		}
	}
	return results, nil
}

// round runs the floor and then every target still measured on c once, stopping runs at the
// deadline (when not zero).
func round(cfg config, c *corpusResult, n int, deadline time.Time) {
	timeout := cfg.timeout
	for j := range c.programs {
		p := &c.programs[j]
		if p.skipped != "" || p.failed != "" || (p.slow && n > 1) {
			continue
		}
		if floor, ok := c.floor(); ok && j > 0 {
			timeout = max(cfg.timeout, time.Duration(cfg.timeoutFactor*float64(floor.wall)))
		}
		limit := "the time limit"
		if !deadline.IsZero() {
			if left := time.Until(deadline); left < timeout {
				timeout, limit = left, "the end of the time budget"
			}
			if timeout < 5*time.Second {
				p.skipped = "not run: out of time (BENCH_BUDGET)"
				continue
			}
		}
		r := runOnce(context.Background(), p.args, timeout)
		fmt.Fprintf(os.Stderr, "  %s run %d %-10s %s\n", c.spec.name(), n, p.name, r)
		switch {
		case r.timedOut:
			p.skipped = fmt.Sprintf("stopped at %s (%s)", limit, timeout.Round(time.Second))
		case r.err != "":
			p.failed = r.err
		default:
			p.runs = append(p.runs, r)
			if floor, ok := c.floor(); ok && j > 0 && n == 1 && r.cpu.Seconds() > cfg.slow*floor.cpu.Seconds() {
				p.slow = true
			}
		}
	}
}

// nextRound estimates a further round on c: the last wall time of every program that would run.
func (c *corpusResult) nextRound() time.Duration {
	var d time.Duration
	for _, p := range c.programs {
		if len(p.runs) > 0 && p.skipped == "" && p.failed == "" && !p.slow {
			d += p.runs[len(p.runs)-1].wall
		}
	}
	return d
}

// smallShare is the percentage of -budget that corpora up to 50k objects may take.
const smallShare = 55

func fail(err error) {
	fmt.Fprintln(os.Stderr, "measure:", err)
	os.Exit(1)
}
