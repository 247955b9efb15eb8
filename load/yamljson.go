package load

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"
)

// yamlToJSON converts one YAML document to JSON with exactly the result of
// sigs.k8s.io/yaml.YAMLToJSONStrict, which kubectl uses: the same go-yaml v2 parse (YAML 1.1
// scalars, duplicate keys refused), the same key conversions and the same bytes, keys sorted
// and strings escaped as encoding/json does. It is faster because it writes the parsed tree
// straight to JSON, without building a second tree of JSON-able values and encoding it by
// reflection, and it notes where the header fields (apiVersion, kind, metadata, items) sit in
// the output so that they need not be parsed out again.
//
// Whatever the fast path does not handle exactly (timestamps and other rare types, NaN and
// infinities) goes to YAMLToJSONStrict itself, which then decides the result and the error.
// TestYAMLToJSONMatchesSigsYAML and FuzzYAMLToJSON hold the two to the same bytes.
//
// One difference is deliberate: two keys of a mapping that become the same JSON key (1 and
// "1", or true and "true") are an error here, where sigs.k8s.io/yaml keeps one of them chosen
// by Go's map iteration, which would make the output depend on chance.
func yamlToJSON(y []byte) ([]byte, *header, error) {
	var tree any
	if err := yaml2.UnmarshalStrict(y, &tree); err != nil {
		return nil, nil, err
	}
	w := jsonWriter{buf: make([]byte, 0, len(y))}
	if w.top(tree) {
		return w.buf, w.header(), nil
	}
	if w.err != nil {
		return nil, nil, w.err
	}
	j, err := yaml.YAMLToJSONStrict(y)
	return j, nil, err
}

// jsonWriter writes a go-yaml v2 tree as JSON. Its methods return false at anything they
// leave to sigs.k8s.io/yaml.
type jsonWriter struct {
	buf []byte
	err error // why the fast path stopped, when the input is bad rather than unusual
	// root is true when the document is a mapping; spans then holds where the values of
	// apiVersion, kind, metadata and items are in buf (end 0: absent).
	root  bool
	spans [len(headerFields)][2]int
}

var headerFields = [...]string{"apiVersion", "kind", "metadata", "items"}

// top writes the document's root, noting the header fields when it is a mapping.
func (w *jsonWriter) top(v any) bool {
	m, ok := v.(map[any]any)
	if !ok {
		return w.value(v)
	}
	w.root = true
	return w.mapping(m, true)
}

// header returns the header fields of a mapping document, as UnmarshalCaseSensitive would
// decode them into a header; nil for any other document.
func (w *jsonWriter) header() *header {
	if !w.root {
		return nil
	}
	raw := func(i int) []byte {
		if w.spans[i][1] == 0 {
			return nil
		}
		return w.buf[w.spans[i][0]:w.spans[i][1]:w.spans[i][1]]
	}
	return &header{APIVersion: raw(0), Kind: raw(1), Metadata: raw(2), Items: raw(3)}
}

func (w *jsonWriter) value(v any) bool {
	switch v := v.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case string:
		w.buf = appendJSONString(w.buf, v)
	case bool:
		w.buf = strconv.AppendBool(w.buf, v)
	case int:
		w.buf = strconv.AppendInt(w.buf, int64(v), 10)
	case int64:
		w.buf = strconv.AppendInt(w.buf, v, 10)
	case uint64:
		w.buf = strconv.AppendUint(w.buf, v, 10)
	case float64:
		return w.float(v)
	case []any:
		w.buf = append(w.buf, '[')
		for i, e := range v {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			if !w.value(e) {
				return false
			}
		}
		w.buf = append(w.buf, ']')
	case map[any]any:
		return w.mapping(v, false)
	default: // time.Time from !!timestamp, and anything else go-yaml may return
		return false
	}
	return true
}

type member struct {
	key  string // as JSON has it
	orig any    // as YAML has it
	val  any
}

// keyText shows a key as written: strings quoted, other scalars bare.
func keyText(k any) string {
	if s, ok := k.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(k)
}

// mapping writes a mapping with its keys converted to strings as sigs.k8s.io/yaml converts
// them, sorted as encoding/json sorts them. At the root, it records where the header fields
// are.
func (w *jsonWriter) mapping(m map[any]any, root bool) bool {
	members := make([]member, 0, len(m))
	for k, v := range m {
		ks, ok := keyString(k)
		if !ok {
			return false
		}
		members = append(members, member{ks, k, v})
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	w.buf = append(w.buf, '{')
	for i, e := range members {
		if i > 0 {
			if prev := members[i-1]; e.key == prev.key {
				a, b := keyText(prev.orig), keyText(e.orig)
				if a > b {
					a, b = b, a
				}
				w.err = errorString(fmt.Sprintf("mapping keys %s and %s are the same key in JSON: %q", a, b, e.key))
				return false
			}
			w.buf = append(w.buf, ',')
		}
		w.buf = appendJSONString(w.buf, e.key)
		w.buf = append(w.buf, ':')
		start := len(w.buf)
		if !w.value(e.val) {
			return false
		}
		if root {
			for f, name := range headerFields {
				if e.key == name {
					w.spans[f] = [2]int{start, len(w.buf)}
				}
			}
		}
	}
	w.buf = append(w.buf, '}')
	return true
}

// keyString converts a mapping key as sigs.k8s.io/yaml does.
func keyString(k any) (string, bool) {
	switch k := k.(type) {
	case string:
		return k, true
	case int:
		return strconv.Itoa(k), true
	case int64:
		return strconv.FormatInt(k, 10), true
	case bool:
		return strconv.FormatBool(k), true
	case float64:
		s := strconv.FormatFloat(k, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		return s, true
	}
	return "", false
}

// float writes a number as encoding/json does; NaN and infinities, which it refuses, are left
// to sigs.k8s.io/yaml for its error.
func (w *jsonWriter) float(f float64) bool {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.buf = strconv.AppendFloat(w.buf, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as in encoding/json
		if n := len(w.buf); n >= 4 && w.buf[n-4] == 'e' && w.buf[n-3] == '-' && w.buf[n-2] == '0' {
			w.buf[n-2] = w.buf[n-1]
			w.buf = w.buf[:n-1]
		}
	}
	return true
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does by default: HTML characters escaped, invalid
// UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
