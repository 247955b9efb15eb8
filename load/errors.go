package load

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/meshbridge/meshbridge/model"
)

// Error is a fatal problem with the input: it could not be read, is not YAML or JSON, is not a
// Kubernetes object, or an object the loader reads does not match its schema. Every field
// that is known is set, so a user can go straight to the problem.
type Error struct {
	// File is the path as the user gave it, joined with the path inside a folder; "<stdin>"
	// for standard input.
	File string
	// Doc is the 1-based index of the YAML document in File (0 when the file as a whole failed).
	Doc int
	// Line is the 1-based line of the problem when the decoder tells it, else the line where
	// the document starts (0 when unknown).
	Line int
	// Object is the object being read, as far as it is known (Kind is empty when unknown).
	Object model.ObjectRef
	// Field is the path of the offending field, e.g. spec.http[0].route[0].weight.
	Field string
	// Msg says what is wrong.
	Msg string
}

// Error renders the problem on one line:
//
//	input.yaml:12 (document 3) VirtualService default/reviews: spec.http[0].route[0].weight: invalid value "abc": want an integer
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(oneLine(model.Location{File: e.File, Doc: e.Doc, Line: e.Line}.String()))
	if obj := objectString(e.Object); obj != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(oneLine(obj))
	}
	if e.Field != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(oneLine(e.Field))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	msg := oneLine(e.Msg)
	if msg == "" {
		msg = "invalid input"
	}
	b.WriteString(msg)
	return b.String()
}

// objectString renders Kind namespace/name, leaving out what is unknown.
func objectString(r model.ObjectRef) string {
	if r.Kind == "" {
		return ""
	}
	switch {
	case r.Name == "":
		return r.Kind
	case r.Namespace == "":
		return r.Kind + " " + r.Name
	default:
		return r.Kind + " " + r.Namespace + "/" + r.Name
	}
}

// oneLine makes s safe to print on one line: runs of white space become one space and other
// control or non-printable characters are escaped, since parts of it come from the input.
func oneLine(s string) string {
	clean := true
	for _, r := range s {
		if r == '\n' || r == '\t' || r == '\r' || !unicode.IsPrint(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case r == unicode.ReplacementChar || !unicode.IsPrint(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		space = r == ' '
	}
	return strings.TrimSpace(b.String())
}

// truncate shortens s to at most n bytes (on a rune boundary), marking the cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
