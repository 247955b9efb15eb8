package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
)

// corpusResult holds every program's runs on one corpus.
type corpusResult struct {
	spec     corpusSpec
	stats    corpusgen.Stats
	programs []program // the floor first
	cut      bool      // fewer runs than asked, to keep within the budget
}

func (c corpusResult) floor() (run, bool) {
	if len(c.programs) == 0 || len(c.programs[0].runs) == 0 {
		return run{}, false
	}
	return median(c.programs[0].runs), true
}

// The targets of the performance issue.
const (
	maxCPURatio    = 1.2  // convert's CPU time over the floor's, on 10k VirtualServices + 10k AuthorizationPolicies
	maxRSSRatio    = 1.0  // convert's peak memory over the floor's, on the same
	maxScaleFactor = 11.0 // CPU at 100k objects over CPU at 10k
)

// render writes the results as Markdown.
func render(cfg config, m machine, results []corpusResult, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %s; the runs took %s.\n\n", m.date.Format("2006-01-02 15:04 MST"), m, took.Round(time.Second))
	fmt.Fprintf(&b, "Medians of up to %d runs per program (%d on corpora over 50k objects), runs interleaved; "+
		"a target over %g× the floor's CPU in its first run is run once, and not on bigger corpora. "+
		"CPU is user+sys of the process; max RSS is its peak resident memory; output is what it wrote to stdout.\n\n",
		cfg.runs, cfg.runsLarge, cfg.slow)
	b.WriteString("| corpus | input | program | runs | CPU s | wall s | max RSS MB | output MB | CPU ÷ floor | RSS ÷ floor |\n")
	b.WriteString("|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, c := range results {
		floor, haveFloor := c.floor()
		for i, p := range c.programs {
			corpus, input := "", ""
			if i == 0 {
				corpus = c.spec.name()
				input = fmt.Sprintf("%d objects, %.1f MB", c.stats.Objects, float64(c.stats.Bytes)/1e6)
			}
			name := "floor"
			if p.target != "" {
				name = "convert --to " + p.target
			}
			switch {
			case len(p.runs) > 0:
				r := median(p.runs)
				cpuRatio, rssRatio := "", ""
				if haveFloor && i > 0 {
					cpuRatio = fmt.Sprintf("%.2f", r.cpu.Seconds()/floor.cpu.Seconds())
					rssRatio = fmt.Sprintf("%.2f", float64(r.maxRSS)/float64(floor.maxRSS))
				}
				runs := strconv.Itoa(len(p.runs))
				switch {
				case p.slow:
					runs += "†"
				case c.cut:
					runs += "*"
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %.2f | %.2f | %.0f | %.1f | %s | %s |\n", corpus, input, name,
					runs, r.cpu.Seconds(), r.wall.Seconds(), mb(r.maxRSS), mb(r.out), cpuRatio, rssRatio)
			case p.failed != "":
				fmt.Fprintf(&b, "| %s | %s | %s | – | failed: %s | | | | | |\n", corpus, input, name, oneLine(p.failed))
			default:
				fmt.Fprintf(&b, "| %s | %s | %s | – | not measured: %s | | | | | |\n", corpus, input, name, p.skipped)
			}
		}
	}
	cut, slow := false, false
	for _, c := range results {
		cut = cut || c.cut
		for _, p := range c.programs {
			slow = slow || p.slow
		}
	}
	if cut || slow {
		b.WriteString("\n")
	}
	if cut {
		b.WriteString("\\* fewer runs than asked, to keep `make bench` within its time budget (BENCH_BUDGET).  \n")
	}
	if slow {
		fmt.Fprintf(&b, "† over %g× the floor's CPU in its first run: run once.\n", cfg.slow)
	}
	b.WriteString("\n")
	writeTargets(&b, results)
	return b.String()
}

// writeTargets checks the targets: CPU and memory against the floor on the vs-ap corpus, and
// linear cost between the smallest and biggest corpus of a mix.
func writeTargets(b *strings.Builder, results []corpusResult) {
	for _, c := range results {
		if c.spec.mix != corpusgen.MixVSAP {
			continue
		}
		floor, ok := c.floor()
		if !ok {
			continue
		}
		fmt.Fprintf(b, "Target on %s (%d VirtualServices + %d AuthorizationPolicies, with their Services and Deployments): "+
			"CPU ≤ %.1f× the floor and max RSS ≤ %.1f× the floor, for any one target.\n\n",
			c.spec.name(), c.stats.Kinds["VirtualService"], c.stats.Kinds["AuthorizationPolicy"], maxCPURatio, maxRSSRatio)
		any := false
		for _, p := range c.programs[1:] {
			if len(p.runs) == 0 {
				fmt.Fprintf(b, "- `--to %s`: not measured\n", p.target)
				continue
			}
			r := median(p.runs)
			cpu, rss := r.cpu.Seconds()/floor.cpu.Seconds(), float64(r.maxRSS)/float64(floor.maxRSS)
			ok := cpu <= maxCPURatio && rss <= maxRSSRatio
			any = any || ok
			fmt.Fprintf(b, "- `--to %s`: CPU %.2f×, RSS %.2f× — %s\n", p.target, cpu, rss, verdict(ok))
		}
		fmt.Fprintf(b, "- **%s**\n\n", map[bool]string{true: "met", false: "NOT met"}[any])
	}
	byMix := map[corpusgen.Mix][]corpusResult{}
	var mixes []corpusgen.Mix
	for _, c := range results {
		if byMix[c.spec.mix] == nil {
			mixes = append(mixes, c.spec.mix)
		}
		byMix[c.spec.mix] = append(byMix[c.spec.mix], c)
	}
	for _, mix := range mixes {
		cs := byMix[mix]
		if len(cs) < 2 {
			continue
		}
		small, big := cs[0], cs[len(cs)-1]
		if big.spec.n <= small.spec.n {
			continue
		}
		size := float64(big.spec.n) / float64(small.spec.n)
		limit := maxScaleFactor * size / 10
		fmt.Fprintf(b, "Scaling from %s to %s (%.0f× the objects): CPU must grow at most %.1f×.\n\n", small.spec.name(), big.spec.name(), size, limit)
		for i, p := range small.programs {
			if i >= len(big.programs) {
				break
			}
			q := big.programs[i]
			if len(p.runs) == 0 || len(q.runs) == 0 {
				fmt.Fprintf(b, "- %s: not measured on both\n", p.name)
				continue
			}
			f := median(q.runs).cpu.Seconds() / median(p.runs).cpu.Seconds()
			if p.target == "" {
				fmt.Fprintf(b, "- floor: %.1f× (for reference)\n", f)
				continue
			}
			fmt.Fprintf(b, "- %s: %.1f× — %s\n", p.name, f, verdict(f <= limit))
		}
		b.WriteString("\n")
	}
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "**over**"
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

// The sections of docs/performance.md that measure writes.
const (
	beginMarker = "<!-- bench:begin -->"
	endMarker   = "<!-- bench:end -->"
	stagesBegin = "<!-- stages:begin -->"
	stagesEnd   = "<!-- stages:end -->"
)
