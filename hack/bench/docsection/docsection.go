// Package docsection rewrites a marked section of a Markdown file, so that the benchmark
// harnesses can write their latest figures into docs/performance.md and leave the prose
// around them alone.
package docsection

import (
	"bytes"
	"fmt"
	"os"
)

// Replace replaces what lies between the begin and end markers of the file at path with
// text, keeping both markers.
func Replace(path, begin, end, text string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	i, j := bytes.Index(data, []byte(begin)), bytes.Index(data, []byte(end))
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s section", path, begin, end)
	}
	var out bytes.Buffer
	out.Write(data[:i+len(begin)])
	out.WriteString("\n" + text)
	out.Write(data[j:])
	return os.WriteFile(path, out.Bytes(), 0o644)
}
