package main

import (
	"strings"
	"testing"
	"time"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
)

func TestMedianTakesEachFieldOnItsOwn(t *testing.T) {
	for _, tc := range []struct {
		name string
		runs []run
		want run
	}{
		{"an odd number of runs gives the middle one", []run{{cpu: 3}, {cpu: 1}, {cpu: 2}}, run{cpu: 2}},
		{"an even number gives the mean of the middle two", []run{{cpu: 4}, {cpu: 1}, {cpu: 2}, {cpu: 3}}, run{cpu: 2}},
		{"fields are sorted separately", []run{{cpu: 1, maxRSS: 30}, {cpu: 2, maxRSS: 10}, {cpu: 3, maxRSS: 20}},
			run{cpu: 2, maxRSS: 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := median(tc.runs); got != tc.want {
				t.Errorf("median %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseCorporaRefusesWhatItCannotGenerate(t *testing.T) {
	got, err := parseCorpora("mixed:10, vs-ap:40")
	if err != nil || len(got) != 2 || got[1] != (corpusSpec{corpusgen.MixVSAP, 40}) {
		t.Fatalf("parseCorpora = %v, %v", got, err)
	}
	for _, bad := range []string{"mixed", "mixed:0", "mixed:x", "other:10"} {
		if _, err := parseCorpora(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// result builds a corpus result whose programs ran once with the given CPU seconds and RSS MB,
// the floor first.
func result(mix corpusgen.Mix, n int, cpuRSS ...[2]float64) corpusResult {
	c := corpusResult{spec: corpusSpec{mix, n}, stats: corpusgen.Stats{Objects: n, Kinds: map[string]int{"VirtualService": n / 4}}}
	for i, v := range cpuRSS {
		p := program{name: "floor"}
		if i > 0 {
			p.name, p.target = "t"+string(rune('0'+i)), "t"+string(rune('0'+i))
		}
		p.runs = []run{{cpu: time.Duration(v[0] * float64(time.Second)), maxRSS: int64(v[1] * (1 << 20))}}
		c.programs = append(c.programs, p)
	}
	return c
}

func TestTargetsAreJudgedOnCPUMemoryAndScaling(t *testing.T) {
	results := []corpusResult{
		result(corpusgen.MixVSAP, 40000, [2]float64{10, 700}, [2]float64{11.9, 690}, [2]float64{12.1, 500}),
		result(corpusgen.MixMixed, 10000, [2]float64{3, 200}, [2]float64{2, 100}, [2]float64{2, 100}),
		result(corpusgen.MixMixed, 100000, [2]float64{33, 2000}, [2]float64{22, 1000}, [2]float64{23, 1000}),
	}
	var b strings.Builder
	writeTargets(&b, results)
	got := b.String()
	for _, want := range []string{
		"`--to t1`: CPU 1.19×, RSS 0.99× — ok",
		"`--to t2`: CPU 1.21×, RSS 0.71× — **over**",
		"- **met**",
		"CPU must grow at most 11.0×",
		"- floor: 11.0× (for reference)",
		"- t1: 11.0× — ok",
		"- t2: 11.5× — **over**",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}

func TestStageBenchmarksBecomeATable(t *testing.T) {
	out := `goos: linux
BenchmarkLoad/objects=1000-2         	       1	 75000000 ns/op	   5.37 MB/s	37585272 B/op	  607317 allocs/op
BenchmarkLoad/objects=10000-2        	       1	1500000000 ns/op	   5.97 MB/s	374563088 B/op	 6096278 allocs/op
BenchmarkWrite/objects=1000/to=smi-2 	       1	 34600000 ns/op	       654.0 objects	268373824 B/op	 3706693 allocs/op
BenchmarkWrite/objects=10000/to=smi                skipped: --to smi took 332ms on 1000 objects
PASS
`
	rows, sizes, err := parseStages(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	got := renderStages(rows, sizes)
	for _, want := range []string{
		"| stage | 1000 objects | 10000 objects | allocated at 10000 | allocations at 10000 |",
		"| load | 75.0 ms | 1.50 s | 357 MiB | 6.10 M |",
		"| write `--to smi` | 34.6 ms | skipped | | |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}
