package cases

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// File names inside a case folder.
const (
	InputFile    = "input.yaml"
	OptionsFile  = "case.yaml"
	FindingsFile = "findings.txt"
	ErrorFile    = "error.txt"
)

// Options is case.yaml: how a case is translated when not with the defaults.
type Options struct {
	// Namespace is given to objects that name none (default "default").
	Namespace string `json:"namespace,omitempty"`
	// Mesh picks the destination profile per target, e.g. {smi: osm}.
	Mesh map[string]string `json:"mesh,omitempty"`
	// Channel is the Gateway API release channel.
	Channel string `json:"channel,omitempty"`
	// RootNamespace overrides Istio's root namespace (istio-system).
	RootNamespace string `json:"rootNamespace,omitempty"`
}

// Case is one folder.
type Case struct {
	Name, Dir string
	Options   Options
}

// List returns the cases under dir: every sub-folder holding an input.yaml, sorted by name.
// dir may itself be a case.
func List(dir string) ([]Case, error) {
	if _, err := os.Stat(filepath.Join(dir, InputFile)); err == nil {
		c, err := Open(dir)
		return []Case{c}, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(sub, InputFile)); err != nil {
			continue
		}
		c, err := Open(sub)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no case (a folder with %s)", dir, InputFile)
	}
	return out, nil
}

// Open reads one case folder's options.
func Open(dir string) (Case, error) {
	c := Case{Name: filepath.Base(dir), Dir: dir}
	b, err := os.ReadFile(filepath.Join(dir, OptionsFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return c, nil
	case err != nil:
		return c, err
	}
	if err := yaml.UnmarshalStrict(b, &c.Options); err != nil {
		return c, fmt.Errorf("%s: %w", filepath.Join(dir, OptionsFile), err)
	}
	return c, nil
}

// Translation is one target's result.
type Translation struct {
	Result translate.Result
	// Rendered is the objects as the golden file holds them.
	Rendered []byte
}

// Result is a case run: the load error (bad input), or one translation per target and the
// rendered findings of every stage.
type Result struct {
	LoadError    string
	Inventory    *inventory.Inventory
	LoadFindings model.Findings
	Translations map[string]Translation
	Findings     []byte
}

// Run loads the case's input and translates it for each target.
func (c Case) Run(targets []string) (*Result, error) {
	data, err := os.ReadFile(filepath.Join(c.Dir, InputFile))
	if err != nil {
		return nil, err
	}
	inv := &inventory.Inventory{}
	lf, err := load.Decode(inv, InputFile, data, load.Options{Namespace: c.Options.Namespace})
	if err != nil {
		return &Result{LoadError: err.Error()}, nil
	}
	inv.Sort()
	res := &Result{Inventory: inv, LoadFindings: lf, Translations: map[string]Translation{}}
	all := slices.Clone(lf)
	for _, target := range targets {
		o := translate.Options{To: target, Write: emit.Options{Mesh: c.Options.Mesh[target], Channel: c.Options.Channel}}
		o.Read.RootNamespace = c.Options.RootNamespace
		tr, err := translate.Translate(inv, o)
		if err != nil {
			return nil, err
		}
		b, err := Render(tr.Objects)
		if err != nil {
			return nil, err
		}
		res.Translations[target] = Translation{Result: tr, Rendered: b}
		all = append(all, tr.Findings...)
	}
	res.Findings = RenderFindings(all.Sorted())
	return res, nil
}

// Render writes objects as the golden files hold them: YAML documents separated by ---.
func Render(objs []*unstructured.Unstructured) ([]byte, error) {
	var b bytes.Buffer
	for i, o := range objs {
		y, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, fmt.Errorf("rendering %s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return b.Bytes(), nil
}

// RenderFindings writes one finding per line.
func RenderFindings(fs model.Findings) []byte {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + "\n")
	}
	return []byte(b.String())
}

// Golden is one expected file and what the run produced for it.
type Golden struct {
	// Path is the file's path; Got the content the run produced.
	Path string
	Got  []byte
}

// Goldens returns the files a result is compared with: error.txt for bad input; otherwise
// <target>.yaml for each target and findings.txt.
func (c Case) Goldens(r *Result, targets []string) []Golden {
	if r.LoadError != "" {
		return []Golden{{Path: filepath.Join(c.Dir, ErrorFile), Got: []byte(r.LoadError + "\n")}}
	}
	var out []Golden
	for _, t := range targets {
		out = append(out, Golden{Path: filepath.Join(c.Dir, t+".yaml"), Got: r.Translations[t].Rendered})
	}
	return append(out, Golden{Path: filepath.Join(c.Dir, FindingsFile), Got: r.Findings})
}

// Mismatch is a golden file that differs from the run, or is missing.
type Mismatch struct {
	Path string
	// Missing: the file does not exist. Otherwise Diff is golden.Diff(want, got).
	Missing bool
	Diff    string
}

// String renders the mismatch for people.
func (m Mismatch) String() string {
	if m.Missing {
		return m.Path + ": missing (run with --update to create it)"
	}
	return m.Path + " differs (- expected, + got):\n" + m.Diff
}

// Compare returns the goldens that differ from the run.
func Compare(goldens []Golden) ([]Mismatch, error) {
	var out []Mismatch
	for _, g := range goldens {
		want, err := os.ReadFile(g.Path)
		if errors.Is(err, fs.ErrNotExist) {
			out = append(out, Mismatch{Path: g.Path, Missing: true})
			continue
		}
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(want, g.Got) {
			out = append(out, Mismatch{Path: g.Path, Diff: golden.Diff(string(want), string(g.Got))})
		}
	}
	return out, nil
}

// Update writes the goldens, and removes the ones a case no longer has (the outputs of a
// case that now fails to load, or the error of one that now loads). It returns the paths
// written or removed.
func (c Case) Update(goldens []Golden, targets []string) ([]string, error) {
	var changed []string
	keep := map[string]bool{}
	for _, g := range goldens {
		keep[g.Path] = true
		old, err := os.ReadFile(g.Path)
		if err == nil && bytes.Equal(old, g.Got) {
			continue
		}
		if err := os.WriteFile(g.Path, g.Got, 0o644); err != nil {
			return changed, err
		}
		changed = append(changed, g.Path)
	}
	stale := []string{filepath.Join(c.Dir, ErrorFile), filepath.Join(c.Dir, FindingsFile)}
	for _, t := range targets {
		stale = append(stale, filepath.Join(c.Dir, t+".yaml"))
	}
	for _, p := range stale {
		if keep[p] {
			continue
		}
		if err := os.Remove(p); err == nil {
			changed = append(changed, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return changed, err
		}
	}
	return changed, nil
}

// PresentTargets returns the targets among candidates that have a golden file in the case.
func (c Case) PresentTargets(candidates []string) []string {
	var out []string
	for _, t := range candidates {
		if _, err := os.Stat(filepath.Join(c.Dir, t+".yaml")); err == nil {
			out = append(out, t)
		}
	}
	return out
}
