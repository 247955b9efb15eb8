package main

import (
	"slices"
	"strconv"

	yaml2 "go.yaml.in/yaml/v2"
)

// go-yaml v2 spends most of its time, and allocates most of convert's memory, on bookkeeping
// (an event queue it never trims, reflection, key sorting through []rune) rather than on the
// text, which for the objects writers make is simple: block mappings with sorted keys, block
// sequences (not indented under a mapping key), {} and [] when empty, and plain scalars.
// yamlEncoder writes that text itself for objects made only of what it knows, and says so;
// for anything else, renderYAML's go-yaml path is taken, so it never has to be right about a
// case it does not handle. What it knows, and why its bytes are go-yaml v2's:
//
//   - Keys made of ASCII letters, '.', '-' and '/' only (field names, label and annotation
//     keys), at most 128 bytes. go-yaml sorts keys "naturally" (digit runs by value, letters
//     after other characters); for these keys that order is byte order. Over 128 bytes go-yaml
//     writes a complex key ("? key").
//   - Strings of letters, digits, '.', '_', '/' and '-' that start with a letter (or '/') and
//     are not one of YAML 1.1's bool or null words: go-yaml resolves them as strings and finds
//     no indicator in them, so it writes them plain, as they are. Other strings of printable
//     ASCII without spaces (no space: go-yaml folds lines only at spaces) are written as go-yaml
//     writes them alone in a mapping (quoted or not), remembered per string.
//   - int64, int, int32, bools and nil, written as go-yaml writes them.
//
// Floats, other strings (spaces, non-ASCII, line breaks), other keys and other types send the
// whole object to go-yaml.

// yamlEncoder renders objects into a buffer it reuses.
type yamlEncoder struct {
	out []byte
	// keys holds a slice of keys per nesting depth, reused from object to object.
	keys [][]string
	// quoted holds go-yaml's rendering of the strings that are not plain, as values and as keys.
	quoted, quotedKeys map[string]string
}

// maxQuoted bounds the strings remembered, and their length.
const (
	maxQuoted    = 1 << 14
	maxQuotedLen = 256
	maxSimpleKey = 128
)

// encode renders obj as go-yaml v2 does, or returns false if obj holds something it does not
// know. The result is valid until the next call.
func (e *yamlEncoder) encode(obj map[string]any) ([]byte, bool) {
	e.out = e.out[:0]
	if len(obj) == 0 || !e.mapping(obj, 0, 0, false) {
		return nil, false
	}
	return e.out, true
}

// mapping writes m as a block mapping at indent; inline says the first key follows a
// sequence's "- " on the current line.
func (e *yamlEncoder) mapping(m map[string]any, indent, depth int, inline bool) bool {
	if depth == len(e.keys) {
		e.keys = append(e.keys, nil)
	}
	keys := e.keys[depth][:0]
	for k := range m {
		if !simpleKey(k) {
			return false
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.keys[depth] = keys
	for i, k := range keys {
		if i > 0 || !inline {
			e.indent(indent)
		}
		if !e.key(k) {
			return false
		}
		e.out = append(e.out, ':')
		if !e.node(m[k], indent, depth, true) {
			return false
		}
	}
	return true
}

// sequence writes s as a block sequence at indent; inline says the first item follows a
// sequence's "- " on the current line.
func (e *yamlEncoder) sequence(s []any, indent, depth int, inline bool) bool {
	for i, v := range s {
		if i > 0 || !inline {
			e.indent(indent)
		}
		e.out = append(e.out, '-')
		if !e.node(v, indent, depth, false) {
			return false
		}
	}
	return true
}

// node writes v after a mapping's "key:" (inMapping) or a sequence's "-", both at indent.
func (e *yamlEncoder) node(v any, indent, depth int, inMapping bool) bool {
	switch v := v.(type) {
	case map[string]any:
		switch {
		case v == nil:
			return false
		case len(v) == 0:
			e.out = append(e.out, " {}\n"...)
		case inMapping:
			e.out = append(e.out, '\n')
			return e.mapping(v, indent+2, depth+1, false)
		default:
			e.out = append(e.out, ' ')
			return e.mapping(v, indent+2, depth+1, true)
		}
	case []any:
		switch {
		case v == nil:
			return false
		case len(v) == 0:
			e.out = append(e.out, " []\n"...)
		case inMapping: // not indented under a key
			e.out = append(e.out, '\n')
			return e.sequence(v, indent, depth, false)
		default:
			e.out = append(e.out, ' ')
			return e.sequence(v, indent+2, depth, true)
		}
	default:
		e.out = append(e.out, ' ')
		if !e.scalar(v) {
			return false
		}
		e.out = append(e.out, '\n')
	}
	return true
}

func (e *yamlEncoder) indent(n int) {
	for range n {
		e.out = append(e.out, ' ')
	}
}

// scalar writes a scalar value.
func (e *yamlEncoder) scalar(v any) bool {
	switch v := v.(type) {
	case string:
		if plainString(v) {
			e.out = append(e.out, v...)
			return true
		}
		q, ok := e.quote(v, false)
		e.out = append(e.out, q...)
		return ok
	case bool:
		e.out = strconv.AppendBool(e.out, v)
	case int64:
		e.out = strconv.AppendInt(e.out, v, 10)
	case int:
		e.out = strconv.AppendInt(e.out, int64(v), 10)
	case int32:
		e.out = strconv.AppendInt(e.out, int64(v), 10)
	case nil:
		e.out = append(e.out, "null"...)
	default:
		return false
	}
	return true
}

// key writes a mapping key that simpleKey accepted.
func (e *yamlEncoder) key(k string) bool {
	if plainString(k) {
		e.out = append(e.out, k...)
		return true
	}
	q, ok := e.quote(k, true)
	e.out = append(e.out, q...)
	return ok
}

// quote returns go-yaml's rendering of s as a value (or as a key) in a block mapping, for
// strings of printable ASCII without spaces.
func (e *yamlEncoder) quote(s string, asKey bool) (string, bool) {
	if len(s) > maxQuotedLen {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return "", false
		}
	}
	cache := &e.quoted
	if asKey {
		cache = &e.quotedKeys
	}
	if q, ok := (*cache)[s]; ok {
		return q, true
	}
	var b []byte
	var prefix, suffix string
	var err error
	if asKey {
		b, err = yaml2.Marshal(map[string]any{s: nil})
		suffix = ": null\n"
	} else {
		b, err = yaml2.Marshal(map[string]any{"k": s})
		prefix, suffix = "k: ", "\n"
	}
	if err != nil || len(b) < len(prefix)+len(suffix) || string(b[:len(prefix)]) != prefix ||
		string(b[len(b)-len(suffix):]) != suffix {
		return "", false
	}
	q := string(b[len(prefix) : len(b)-len(suffix)])
	for i := 0; i < len(q); i++ {
		if q[i] == '\n' {
			return "", false
		}
	}
	if *cache == nil || len(*cache) >= maxQuoted {
		*cache = map[string]string{}
	}
	(*cache)[s] = q
	return q, true
}

// simpleKey reports whether go-yaml v2 orders k among such keys by bytes and writes it as a
// simple key: ASCII letters, '.', '-' and '/', at most 128 bytes.
func simpleKey(k string) bool {
	if len(k) == 0 || len(k) > maxSimpleKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '.', c == '-', c == '/':
		default:
			return false
		}
	}
	return true
}

// plainString reports whether go-yaml v2 writes s plain and unchanged: it starts with an ASCII
// letter or '/', goes on with letters, digits, '.', '_', '/' and '-', and is not one of the
// words YAML 1.1 reads as a bool or null (go-yaml resolves other strings that start with
// these characters as strings, and none of them is an indicator).
func plainString(s string) bool {
	if len(s) == 0 {
		return false
	}
	switch c := s[0]; {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '/':
	default:
		return false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '/', c == '-':
		default:
			return false
		}
	}
	if len(s) <= 5 {
		switch s {
		case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
			"false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL":
			return false
		}
	}
	return true
}
