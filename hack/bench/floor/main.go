// Command floor is the yardstick `make bench` holds `translator convert` against: the least a
// program that reads the same YAML and writes YAML must do. It reads every file given (folders
// recursively: .yaml, .yml and .json, in lexical order), cuts each at "---" lines, decodes
// every document with sigs.k8s.io/yaml into generic values and keeps them all in memory (a
// translation needs all of its input before it can write anything), then encodes them again
// with sigs.k8s.io/yaml to stdout, streaming.
//
//	floor -f DIR [-f FILE]... > /dev/null
//
// It does no validation, typing, translation or sorting; anything convert does beyond this is
// the price of those.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

type paths []string

func (p *paths) String() string     { return strings.Join(*p, ",") }
func (p *paths) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	var in paths
	flag.Var(&in, "f", "file or folder to read (repeatable)")
	flag.Parse()
	if len(in) == 0 {
		fail(fmt.Errorf("no input: give -f FILE or -f DIR"))
	}
	var objects []any
	for _, p := range in {
		files, err := expand(p)
		if err != nil {
			fail(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				fail(err)
			}
			for _, doc := range split(data) {
				var v any
				if err := yaml.Unmarshal(doc, &v); err != nil {
					fail(fmt.Errorf("%s: %w", f, err))
				}
				if v != nil {
					objects = append(objects, v)
				}
			}
		}
	}
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	for i, v := range objects {
		b, err := yaml.Marshal(v)
		if err != nil {
			fail(err)
		}
		if i > 0 {
			w.WriteString("---\n")
		}
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		fail(err)
	}
}

// expand lists the files a path stands for, as the translator's loader does.
func expand(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			if d.Type().IsRegular() {
				files = append(files, path)
			}
		}
		return nil
	})
	return files, err
}

// split cuts a file into documents at lines that start with "---".
func split(data []byte) [][]byte {
	var docs [][]byte
	start := 0
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		if bytes.HasPrefix(data[off:next], []byte("---")) {
			docs = append(docs, data[start:off])
			start = next
		}
		off = next
	}
	return append(docs, data[start:])
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "floor:", err)
	os.Exit(1)
}
