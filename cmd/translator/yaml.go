package main

import (
	"math"
	"unicode/utf8"

	yaml2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"
)

// Objects are printed as sigs.k8s.io/yaml.Marshal prints them, as kubectl does. That function
// encodes its argument as JSON, decodes the JSON again with go-yaml v2 (the JSON parsed as
// flow-style YAML, go-yaml's slowest path) and encodes the result with go-yaml v2. For the
// values unstructured objects hold, the decoded JSON is the object itself, so go-yaml v2's
// encoder (the one sigs.k8s.io/yaml v1.6 imports, go.yaml.in/yaml/v2) applied to the object
// directly writes the same bytes at a fraction of the cost. renderYAML does that when
// encodesAsItself vouches for every value, and goes the long way otherwise; yamlEncoder
// (yamlenc.go) writes the common objects without go-yaml at all. TestRenderYAMLMatchesSigsYAML
// and FuzzRenderYAML hold all three to sigs.k8s.io/yaml's bytes.

// yamlRenderer renders objects exactly as sigs.k8s.io/yaml.Marshal does, the cheapest way
// that gives its bytes: yamlEncoder (yamlenc.go) for what it knows, else renderYAML.
type yamlRenderer struct {
	enc yamlEncoder
}

// render renders obj; the result is valid until the next call.
func (r *yamlRenderer) render(obj map[string]any) ([]byte, error) {
	if b, ok := r.enc.encode(obj); ok {
		return b, nil
	}
	return renderYAML(obj)
}

// renderYAML renders obj exactly as sigs.k8s.io/yaml.Marshal(obj) does.
func renderYAML(obj map[string]any) ([]byte, error) {
	if obj == nil || !encodesAsItself(obj) {
		return yaml.Marshal(obj)
	}
	return yaml2.Marshal(obj)
}

// maxDirectKey bounds the map keys renderYAML encodes directly. In the JSON that
// sigs.k8s.io/yaml parses as YAML, a key of over 1024 characters (escapes included, up to six
// per byte) is no longer a simple key; keys in Kubernetes objects are far shorter.
const maxDirectKey = 160

// encodesAsItself reports whether v survives sigs.k8s.io/yaml's JSON round trip unchanged (same
// types, same values), so that go-yaml v2 encodes it to the same bytes either way:
//
//   - nil, bools and integers: JSON's digits decode to the same integer;
//   - floats that are not whole numbers: JSON writes the shortest form that parses back to the
//     same float, and go-yaml decodes it as a float (a whole float would come back an integer
//     and print without an exponent: 1e+06 against 1000000; -0 as 0; NaN and ±Inf are not JSON);
//   - strings of valid UTF-8 without the characters go-yaml reads differently in JSON's
//     quoted strings (see plainRunes);
//   - non-nil maps with string keys and non-nil slices (nil ones are null in JSON, {} and []
//     in YAML), whose elements qualify.
//
// Anything else (other types, which writers do not put in unstructured objects) is left to
// sigs.k8s.io/yaml.
func encodesAsItself(v any) bool {
	switch v := v.(type) {
	case nil, bool, int64, int, int32:
		return true
	case string:
		return plainRunes(v)
	case float64:
		return !math.IsInf(v, 0) && !math.IsNaN(v) && v != math.Trunc(v)
	case map[string]any:
		if v == nil {
			return false
		}
		for k, e := range v {
			if len(k) > maxDirectKey || k == "<<" || !plainRunes(k) || !encodesAsItself(e) {
				return false
			}
		}
		return true
	case []any:
		if v == nil {
			return false
		}
		for _, e := range v {
			if !encodesAsItself(e) {
				return false
			}
		}
		return true
	}
	return false
}

// plainRunes reports whether s is valid UTF-8 (JSON replaces invalid bytes with U+FFFD) free of
// the characters JSON leaves unescaped but go-yaml v2 does not read back as themselves inside
// a quoted scalar: DEL and the C1 controls (NEL, U+0085, is a YAML 1.1 line break; the rest are
// refused), the byte order mark and the non-characters U+FFFE and U+FFFF. Controls below U+0020
// are fine: JSON escapes them and go-yaml unescapes them.
func plainRunes(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f {
			return plainRunesSlow(s[i:])
		}
	}
	return true
}

func plainRunesSlow(s string) bool {
	for _, r := range s {
		switch {
		case r == utf8.RuneError: // invalid UTF-8 (or a U+FFFD, which is fine, but rare)
			return false
		case r >= 0x7f && r <= 0x9f, r == 0xfeff, r == 0xfffe, r == 0xffff:
			return false
		}
	}
	return true
}
