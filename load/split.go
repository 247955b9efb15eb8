package load

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	yaml3 "go.yaml.in/yaml/v3"
)

// document is one YAML document of a file.
type document struct {
	file  string
	index int    // 1-based position in the file, counted as YAML counts documents
	start int    // line of the document's first line (after its --- separator)
	line  int    // line of its first line that is not blank or a comment
	yaml  []byte // the document's text, without the separator lines

	node   *yaml3.Node // parsed on demand, for finding lines of fields
	parsed bool
}

// splitDocuments cuts a file into YAML documents at "---" lines, as kubectl does, and drops
// the documents that hold only blank lines and comments. Numbering follows YAML: text before
// the first separator is a document only when it has content, and every separator starts one.
func splitDocuments(file string, data []byte) ([]*document, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var docs []*document
	index := 0
	cur := &document{file: file, start: 1}
	explicit := false // the current document was opened by ---
	chunkStart := 0
	finish := func(end int) {
		if explicit || cur.line > 0 {
			index++
		}
		if cur.line > 0 {
			cur.index = index
			cur.yaml = data[chunkStart:end]
			docs = append(docs, cur)
		}
	}
	lineNo := 0
	for off := 0; off < len(data); {
		lineNo++
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		line := data[off:next]
		switch sep, rest := separator(line); {
		case sep == "---" && rest != "" && !strings.HasPrefix(rest, "#"):
			return nil, &Error{File: file, Line: lineNo, Msg: "invalid document separator: only a comment may follow --- on its line"}
		case sep != "":
			finish(off)
			cur = &document{file: file, start: lineNo + 1}
			explicit = sep == "---"
			chunkStart = next
		default:
			if cur.line == 0 && hasContent(line) {
				cur.line = lineNo
			}
		}
		off = next
	}
	finish(len(data))
	return docs, nil
}

// separator reports whether line is a document separator (---) or end marker (...), and what
// follows it on the line.
func separator(line []byte) (sep, rest string) {
	for _, m := range []string{"---", "..."} {
		if bytes.HasPrefix(line, []byte(m)) {
			rest = strings.TrimSpace(string(line[3:]))
			if m == "..." && rest != "" && !strings.HasPrefix(rest, "#") {
				return "", ""
			}
			return m, rest
		}
	}
	return "", ""
}

// hasContent says whether a line holds more than white space and a comment.
func hasContent(line []byte) bool {
	t := bytes.TrimSpace(line)
	return len(t) > 0 && t[0] != '#'
}

// toJSON converts the document to JSON the way kubectl does (YAML 1.1 scalars, duplicate keys
// refused), mapping a parser error to the line in the file. For a mapping it also returns the
// header fields, found on the way (see yamlToJSON).
func (d *document) toJSON() ([]byte, *header, error) {
	j, h, err := safeYAMLToJSON(d.yaml)
	if err != nil {
		line, msg := yamlErrorLine(err.Error())
		e := &Error{File: d.file, Doc: d.index, Line: d.line, Msg: "malformed YAML: " + msg}
		if line > 0 {
			e.Line = d.start + line - 1
		}
		return nil, nil, e
	}
	return j, h, nil
}

func safeYAMLToJSON(y []byte) (j []byte, h *header, err error) {
	defer func() {
		if r := recover(); r != nil {
			j, h, err = nil, nil, errorString("the YAML parser failed on this document")
		}
	}()
	return yamlToJSON(y)
}

type errorString string

func (e errorString) Error() string { return string(e) }

var yamlLineRE = regexp.MustCompile(`^line (\d+): `)

// yamlErrorLine takes a go-yaml error apart: "yaml: line 3: did not find expected key" gives
// 3 and the message; of a list of unmarshal errors it keeps the first.
func yamlErrorLine(s string) (int, string) {
	s = strings.TrimPrefix(s, "error converting YAML to JSON: ")
	s = strings.TrimPrefix(s, "yaml: ")
	if rest, ok := strings.CutPrefix(s, "unmarshal errors:"); ok {
		s = strings.TrimSpace(rest)
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[:i]
		}
	}
	line := 0
	if m := yamlLineRE.FindStringSubmatch(s); m != nil {
		line, _ = strconv.Atoi(m[1])
		s = s[len(m[0]):]
	}
	return line, truncate(oneLine(s), 200)
}

// root returns the document's YAML node tree, or nil when go-yaml v3 cannot parse it (the
// lines of fields are then unknown, which is not an error).
func (d *document) root() *yaml3.Node {
	if !d.parsed {
		d.parsed = true
		func() {
			defer func() { _ = recover() }()
			var n yaml3.Node
			if err := yaml3.Unmarshal(d.yaml, &n); err == nil {
				d.node = &n
			}
		}()
	}
	return d.node
}

// lineOf returns the line in the file of the field at p (p starts at the document root), or
// the document's first line when it cannot be found.
func (d *document) lineOf(p fieldPath) int {
	if l := yamlLine(d.root(), p); l > 0 {
		return d.start + l - 1
	}
	return d.line
}
