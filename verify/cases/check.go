package cases

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/meshbridge/meshbridge/translate"
)

// Checked is the outcome of checking one case against its golden files.
type Checked struct {
	Case       Case
	Targets    []string
	Result     *Result
	Mismatches []Mismatch
	// Updated lists the files written or removed under update.
	Updated []string
}

// OK reports whether the case matched its golden files (or was updated).
func (c Checked) OK() bool { return len(c.Mismatches) == 0 }

// Check translates the case for targets and compares the result with its golden files, or,
// with update, rewrites them. Nil targets means the targets the case has a golden file for,
// or every target when it has none (a new case).
func (c Case) Check(targets []string, update bool) (Checked, error) {
	if targets == nil {
		targets = c.PresentTargets(translate.Targets())
		if len(targets) == 0 {
			targets = translate.Targets()
		}
	}
	out := Checked{Case: c, Targets: targets}
	res, err := c.Run(targets)
	if err != nil {
		return out, err
	}
	out.Result = res
	goldens := c.Goldens(res, targets)
	if update {
		out.Updated, err = c.Update(goldens, targets)
		return out, err
	}
	out.Mismatches, err = Compare(goldens)
	if err != nil {
		return out, err
	}
	if res.LoadError == "" {
		// error.txt says the input must be refused; it was not.
		p := filepath.Join(c.Dir, ErrorFile)
		if _, err := os.Stat(p); err == nil {
			out.Mismatches = append(out.Mismatches, Mismatch{Path: p, Diff: "- the input is refused\n+ the input loaded and was translated\n"})
		} else if !errors.Is(err, fs.ErrNotExist) {
			return out, err
		}
	}
	return out, nil
}
