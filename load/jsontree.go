package load

import (
	"encoding/json"
	"errors"
)

// jsonNode is one value of a JSON text with its byte span. The loader builds these trees only
// on the error path, to turn a decoder's byte offset into a field path and to walk a spec
// against its schema in input order.
type jsonNode struct {
	kind       jsonKind
	start, end int // the value's bytes are data[start:end]
	// key and keyStart are set on object members: the member's name and where it starts.
	key      string
	keyStart int
	kids     []*jsonNode // object members or list items, in input order
}

type jsonKind byte

const (
	jsonObject jsonKind = iota + 1
	jsonArray
	jsonString
	jsonNumber
	jsonBool
	jsonNull
)

// describe names a kind of value for messages: "got a list, want an object".
func (k jsonKind) describe() string {
	switch k {
	case jsonObject:
		return "an object"
	case jsonArray:
		return "a list"
	case jsonString:
		return "a string"
	case jsonNumber:
		return "a number"
	case jsonBool:
		return "a boolean"
	case jsonNull:
		return "null"
	}
	return "nothing"
}

const maxJSONDepth = 10000

var errBadJSON = errors.New("malformed JSON")

// parseJSON builds the tree of a JSON text. It never panics, and fails on malformed JSON.
func parseJSON(data []byte) (*jsonNode, error) {
	p := jsonParser{data: data}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(data) {
		return nil, errBadJSON
	}
	return n, nil
}

type jsonParser struct {
	data []byte
	pos  int
}

func (p *jsonParser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (*jsonNode, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	p.space()
	if p.pos >= len(p.data) {
		return nil, errBadJSON
	}
	n := &jsonNode{start: p.pos, keyStart: -1}
	switch c := p.data[p.pos]; {
	case c == '{':
		n.kind = jsonObject
		p.pos++
		p.space()
		if p.pos < len(p.data) && p.data[p.pos] == '}' {
			p.pos++
			break
		}
		for {
			p.space()
			keyStart := p.pos
			if p.pos >= len(p.data) || p.data[p.pos] != '"' {
				return nil, errBadJSON
			}
			if err := p.skipString(); err != nil {
				return nil, err
			}
			var key string
			if err := json.Unmarshal(p.data[keyStart:p.pos], &key); err != nil {
				return nil, errBadJSON
			}
			p.space()
			if p.pos >= len(p.data) || p.data[p.pos] != ':' {
				return nil, errBadJSON
			}
			p.pos++
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			v.key, v.keyStart = key, keyStart
			n.kids = append(n.kids, v)
			if done, err := p.next('}'); err != nil || done {
				if err != nil {
					return nil, err
				}
				break
			}
		}
	case c == '[':
		n.kind = jsonArray
		p.pos++
		p.space()
		if p.pos < len(p.data) && p.data[p.pos] == ']' {
			p.pos++
			break
		}
		for {
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, v)
			if done, err := p.next(']'); err != nil || done {
				if err != nil {
					return nil, err
				}
				break
			}
		}
	case c == '"':
		n.kind = jsonString
		if err := p.skipString(); err != nil {
			return nil, err
		}
	case c == '-' || '0' <= c && c <= '9':
		n.kind = jsonNumber
		for p.pos < len(p.data) && isNumberByte(p.data[p.pos]) {
			p.pos++
		}
	default:
		for _, lit := range []struct {
			text string
			kind jsonKind
		}{{"true", jsonBool}, {"false", jsonBool}, {"null", jsonNull}} {
			if len(p.data)-p.pos >= len(lit.text) && string(p.data[p.pos:p.pos+len(lit.text)]) == lit.text {
				n.kind = lit.kind
				p.pos += len(lit.text)
				break
			}
		}
		if n.kind == 0 {
			return nil, errBadJSON
		}
	}
	n.end = p.pos
	return n, nil
}

// next consumes a comma (false) or the closing byte (true).
func (p *jsonParser) next(closing byte) (bool, error) {
	p.space()
	if p.pos >= len(p.data) {
		return false, errBadJSON
	}
	switch p.data[p.pos] {
	case ',':
		p.pos++
		return false, nil
	case closing:
		p.pos++
		return true, nil
	}
	return false, errBadJSON
}

func (p *jsonParser) skipString() error {
	p.pos++ // opening quote
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case '\\':
			p.pos += 2
			continue
		case '"':
			p.pos++
			return nil
		}
		p.pos++
	}
	return errBadJSON
}

func isNumberByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// find returns the path of the innermost value that contains byte offset off, or of the
// member whose key contains it. ok is false when off is outside n.
func (n *jsonNode) find(off int) (p fieldPath, ok bool) {
	if off < n.start || off >= n.end {
		return nil, false
	}
	for i, k := range n.kids {
		lo := k.start
		if k.keyStart >= 0 {
			lo = k.keyStart
		}
		if off < lo || off >= k.end {
			continue
		}
		var here fieldPath
		if n.kind == jsonArray {
			here = fieldPath{{index: i, isIdx: true}}
		} else {
			here = fieldPath{{key: k.key}}
		}
		if sub, ok := k.find(off); ok {
			return append(here, sub...), true
		}
		return here, true
	}
	return nil, true
}

// raw returns the value's text, shortened for messages.
func (n *jsonNode) raw(data []byte) string {
	return truncate(string(data[n.start:n.end]), 60)
}
