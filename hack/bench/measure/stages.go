package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// The stage benchmarks (cmd/translator/stages_bench_test.go) print one line per stage, corpus
// size and target; -stages reads them from a file holding `go test -bench` output and renders
// them as a table for docs/performance.md.

var (
	benchLineRE = regexp.MustCompile(`^Benchmark(\w+)/objects=(\d+)(?:/to=([\w-]+?))?(?:-\d+)?\s+(.*)$`)
	nsOpRE      = regexp.MustCompile(`([\d.]+) ns/op`)
	bytesOpRE   = regexp.MustCompile(`(\d+) B/op`)
	allocsOpRE  = regexp.MustCompile(`(\d+) allocs/op`)
)

type stageRow struct {
	stage, target string
	bySize        map[int]stageFigure
}

type stageFigure struct {
	skipped       bool
	ns, b, allocs float64
}

// parseStages reads benchmark lines, keeping their order.
func parseStages(r io.Reader) ([]*stageRow, []int, error) {
	var rows []*stageRow
	index := map[string]*stageRow{}
	var sizes []int
	seenSize := map[int]bool{}
	s := bufio.NewScanner(r)
	for s.Scan() {
		m := benchLineRE.FindStringSubmatch(strings.TrimSpace(s.Text()))
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		key := m[1] + "/" + m[3]
		row := index[key]
		if row == nil {
			row = &stageRow{stage: m[1], target: m[3], bySize: map[int]stageFigure{}}
			index[key] = row
			rows = append(rows, row)
		}
		if !seenSize[n] {
			seenSize[n] = true
			sizes = append(sizes, n)
		}
		if strings.HasPrefix(m[4], "skipped") {
			row.bySize[n] = stageFigure{skipped: true}
			continue
		}
		f := stageFigure{}
		if v := nsOpRE.FindStringSubmatch(m[4]); v != nil {
			f.ns, _ = strconv.ParseFloat(v[1], 64)
		}
		if v := bytesOpRE.FindStringSubmatch(m[4]); v != nil {
			f.b, _ = strconv.ParseFloat(v[1], 64)
		}
		if v := allocsOpRE.FindStringSubmatch(m[4]); v != nil {
			f.allocs, _ = strconv.ParseFloat(v[1], 64)
		}
		row.bySize[n] = f
	}
	return rows, sizes, s.Err()
}

// renderStages writes the time per stage at every size, and the allocations at the biggest.
func renderStages(rows []*stageRow, sizes []int) string {
	if len(rows) == 0 {
		return "No stage benchmarks were read.\n"
	}
	big := sizes[len(sizes)-1]
	var b strings.Builder
	b.WriteString("| stage |")
	for _, n := range sizes {
		fmt.Fprintf(&b, " %d objects |", n)
	}
	fmt.Fprintf(&b, " allocated at %d | allocations at %d |\n|---|", big, big)
	for range sizes {
		b.WriteString("--:|")
	}
	b.WriteString("--:|--:|\n")
	for _, r := range rows {
		name := strings.ToLower(r.stage)
		if r.target != "" {
			name += " `--to " + r.target + "`"
		}
		fmt.Fprintf(&b, "| %s |", name)
		for _, n := range sizes {
			fmt.Fprintf(&b, " %s |", stageTime(r.bySize[n]))
		}
		if f, ok := r.bySize[big]; ok && !f.skipped {
			fmt.Fprintf(&b, " %.0f MiB | %.2f M |\n", f.b/(1<<20), f.allocs/1e6)
		} else {
			b.WriteString(" | |\n")
		}
	}
	return b.String()
}

func stageTime(f stageFigure) string {
	switch {
	case f.skipped:
		return "skipped"
	case f.ns == 0:
		return ""
	case f.ns >= 1e9:
		return fmt.Sprintf("%.2f s", f.ns/1e9)
	}
	return fmt.Sprintf("%.1f ms", f.ns/1e6)
}
