package corpusgen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

// Mix chooses which objects a corpus holds.
type Mix string

const (
	// MixMixed is the realistic mix described in the package comment.
	MixMixed Mix = "mixed"
	// MixVSAP holds per application a Service, a Deployment, a VirtualService and an
	// AuthorizationPolicy, and nothing else.
	MixVSAP Mix = "vs-ap"
)

// Mixes lists the valid Mix values.
var Mixes = []Mix{MixMixed, MixVSAP}

// DefaultSeed is the seed `make corpus` uses.
const DefaultSeed = 1

// Options say what to generate.
type Options struct {
	// Objects is the exact number of objects to write.
	Objects int
	// Mix picks the kinds; empty means MixMixed.
	Mix Mix
	// Seed varies the corpus; the same seed gives the same bytes.
	Seed uint64
}

// File is one generated file.
type File struct {
	Name string
	Data []byte
}

// Stats describe a generated corpus.
type Stats struct {
	Files   int
	Objects int
	Bytes   int64
	// Kinds counts objects by kind.
	Kinds map[string]int
}

// String lists the counts by kind, sorted by kind.
func (s Stats) String() string {
	kinds := make([]string, 0, len(s.Kinds))
	for k := range s.Kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	fmt.Fprintf(&b, "%d objects in %d files (%.1f MB):", s.Objects, s.Files, float64(s.Bytes)/1e6)
	for _, k := range kinds {
		fmt.Fprintf(&b, " %s %d", k, s.Kinds[k])
	}
	return b.String()
}

// Generate writes the corpus, calling emit once per file in order. It stops at the first
// error emit returns.
func Generate(opts Options, emit func(name string, data []byte) error) (Stats, error) {
	if opts.Mix == "" {
		opts.Mix = MixMixed
	}
	if !slices.Contains(Mixes, opts.Mix) {
		return Stats{}, fmt.Errorf("unknown mix %q (want one of %v)", opts.Mix, Mixes)
	}
	if opts.Objects < 0 {
		return Stats{}, fmt.Errorf("objects must not be negative, got %d", opts.Objects)
	}
	g := &gen{
		rng:   rand.New(rand.NewPCG(opts.Seed, 0x6d657368627269)),
		left:  opts.Objects,
		mix:   opts.Mix,
		stats: Stats{Kinds: map[string]int{}},
		emit:  emit,
	}
	if err := g.run(); err != nil {
		return g.stats, err
	}
	return g.stats, nil
}

// Files generates the corpus in memory.
func Files(opts Options) ([]File, Stats, error) {
	var files []File
	st, err := Generate(opts, func(name string, data []byte) error {
		files = append(files, File{Name: name, Data: data})
		return nil
	})
	return files, st, err
}

// gen is one generation run.
type gen struct {
	rng   *rand.Rand
	left  int // objects still to write
	mix   Mix
	stats Stats
	emit  func(string, []byte) error
	buf   bytes.Buffer // the file being written

	legacy []string // legacy (rbac.istio.io) namespaces written, for the ClusterRbacConfig
}

func (g *gen) run() error {
	reserve := 0
	if g.mix == MixMixed && g.left >= 50 {
		reserve = 1 // the ClusterRbacConfig
	}
	for i := 1; g.left > reserve; i++ {
		ns := g.namespace(i)
		g.left -= reserve // keep the reserve out of reach of the namespace
		g.writeNamespace(ns)
		g.left += reserve
		if err := g.flush(fmt.Sprintf("ns-%04d.yaml", i)); err != nil {
			return err
		}
	}
	if reserve > 0 {
		g.clusterRbacConfig()
		return g.flush("cluster.yaml")
	}
	return nil
}

// doc writes one object (a YAML document) unless the corpus is full. format is the object's
// text with %[n]s verbs.
func (g *gen) doc(kind, format string, args ...any) {
	if g.left <= 0 {
		return
	}
	g.left--
	g.stats.Objects++
	g.stats.Kinds[kind]++
	if g.buf.Len() > 0 {
		g.buf.WriteString("---\n")
	}
	fmt.Fprintf(&g.buf, format, args...)
}

func (g *gen) flush(name string) error {
	if g.buf.Len() == 0 {
		return nil
	}
	data := bytes.Clone(g.buf.Bytes())
	g.buf.Reset()
	g.stats.Files++
	g.stats.Bytes += int64(len(data))
	return g.emit(name, data)
}

// chance returns true with probability p.
func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// pick returns one of the choices.
func pick[T any](g *gen, choices ...T) T { return choices[g.rng.IntN(len(choices))] }

// networkingVersion and securityVersion mix the served versions as real exports do.
func (g *gen) networkingVersion() string {
	switch r := g.rng.IntN(10); {
	case r < 7:
		return "networking.istio.io/v1"
	case r < 9:
		return "networking.istio.io/v1beta1"
	default:
		return "networking.istio.io/v1alpha3"
	}
}

func (g *gen) securityVersion() string {
	if g.rng.IntN(4) == 0 {
		return "security.istio.io/v1beta1"
	}
	return "security.istio.io/v1"
}
