package load

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
)

// Options tune loading.
type Options struct {
	// Namespace is given to namespaced objects that have none, as kubectl does with its
	// current namespace. Empty means "default".
	Namespace string
}

func (o Options) withDefaults() Options {
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	return o
}

// StdinName names standard input in locations, findings and errors.
const StdinName = "<stdin>"

// extensions are the file name extensions read inside folders (in any case).
var extensions = []string{".yaml", ".yml", ".json"}

// Load reads every path into one sorted inventory. A path is a file (read whatever its name),
// a folder (read recursively: its .yaml, .yml and .json files in lexical order) or "-" for
// stdin. It returns the findings of every file in reading order, and the first bad input as
// a *Error, with a nil inventory.
func Load(paths []string, stdin io.Reader, opts Options) (*inventory.Inventory, model.Findings, error) {
	inv := &inventory.Inventory{}
	var all model.Findings
	readStdin := false
	for _, p := range paths {
		files, err := expand(p)
		if err != nil {
			return nil, all, err
		}
		for _, f := range files {
			data, name, err := readInput(f, stdin, &readStdin)
			if err != nil {
				return nil, all, err
			}
			fs, err := Decode(inv, name, data, opts)
			all = append(all, fs...)
			if err != nil {
				return nil, all, err
			}
		}
	}
	inv.Sort()
	return inv, all, nil
}

// expand lists the files a path stands for.
func expand(p string) ([]string, error) {
	if p == "-" {
		return []string{p}, nil
	}
	info, err := os.Stat(p)
	if err != nil {
		return nil, fileError(p, err)
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fileError(path, err)
		}
		if d.IsDir() || !hasExtension(path) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 { // a link to a file is read, a link to a folder is not followed
			if info, err := os.Stat(path); err != nil || info.IsDir() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		files = append(files, path)
		return nil
	})
	return files, err
}

func hasExtension(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	for _, e := range extensions {
		if ext == e {
			return true
		}
	}
	return false
}

// readInput reads a file, or stdin for "-" (once only: a second "-" would read nothing).
func readInput(p string, stdin io.Reader, readStdin *bool) (data []byte, name string, err error) {
	if p != "-" {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, p, fileError(p, err)
		}
		return data, p, nil
	}
	if *readStdin {
		return nil, StdinName, &Error{File: StdinName, Msg: `"-" (standard input) is given more than once`}
	}
	*readStdin = true
	if stdin == nil {
		return nil, StdinName, &Error{File: StdinName, Msg: "no standard input to read"}
	}
	data, err = io.ReadAll(stdin)
	if err != nil {
		return nil, StdinName, &Error{File: StdinName, Msg: "cannot read: " + err.Error()}
	}
	return data, StdinName, nil
}

// fileError reports a file that cannot be read, without repeating its name.
func fileError(p string, err error) error {
	var le *Error
	if errors.As(err, &le) {
		return le
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{File: p, Msg: "cannot read: " + err.Error()}
}
