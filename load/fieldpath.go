package load

import (
	"strconv"
	"strings"

	yaml3 "go.yaml.in/yaml/v3"
)

// fieldPath is the path of a field inside one object, kept as segments so that it can both be
// printed (spec.http[0].route[0].weight) and followed through the YAML to find its line.
type fieldPath []segment

// segment is one step of a fieldPath: an object key or a list index.
type segment struct {
	key   string
	index int  // list index, when isIndex
	isIdx bool // the step is a list index
	isMap bool // the key is a map key rather than a field name: printed in brackets
}

// field returns p extended by a field name.
func (p fieldPath) field(name string) fieldPath { return p.with(segment{key: name}) }

// mapKey returns p extended by a map key.
func (p fieldPath) mapKey(key string) fieldPath { return p.with(segment{key: key, isMap: true}) }

// idx returns p extended by a list index.
func (p fieldPath) idx(i int) fieldPath { return p.with(segment{index: i, isIdx: true}) }

// with appends without sharing the backing array, so paths can be extended in loops.
func (p fieldPath) with(s segment) fieldPath {
	out := make(fieldPath, len(p), len(p)+1)
	copy(out, p)
	return append(out, s)
}

// String renders the path: field names joined by dots, list indexes and map keys in brackets.
func (p fieldPath) String() string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.isIdx:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case s.isMap || !isIdentifier(s.key):
			b.WriteString("[" + bracketKey(s.key) + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		}
	}
	return b.String()
}

// isIdentifier says whether a key can be printed after a dot without ambiguity.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '$' || r == '@' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// bracketKey prints a key as it is when that cannot be misread, else quoted.
func bracketKey(s string) string {
	if s == "" || strings.ContainsAny(s, "[]\"") {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			return strconv.Quote(s)
		}
	}
	return s
}

// yamlLine returns the 1-based line, within root's source, of the node at path p, or of the
// deepest node on the way there when the path cannot be followed to its end (0 when root is
// nil). A key is found on the line of the key, a list item on the line of the item.
func yamlLine(root *yaml3.Node, p fieldPath) int {
	n := root
	if n == nil {
		return 0
	}
	if n.Kind == yaml3.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, s := range p {
		n = deref(n)
		var next, at *yaml3.Node
		switch {
		case s.isIdx && n.Kind == yaml3.SequenceNode && s.index >= 0 && s.index < len(n.Content):
			next = n.Content[s.index]
			at = next
		case !s.isIdx && n.Kind == yaml3.MappingNode:
			at, next = mappingValue(n, s.key, 0)
		}
		if next == nil {
			return line
		}
		line = at.Line
		n = next
	}
	return line
}

// mappingValue finds key in a mapping, looking through merge keys (<<), and returns the key
// node and the value node.
func mappingValue(n *yaml3.Node, key string, depth int) (*yaml3.Node, *yaml3.Node) {
	if depth > 8 {
		return nil, nil
	}
	var merges []*yaml3.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Value == key {
			return k, n.Content[i+1]
		}
		if k.Tag == "!!merge" || k.Value == "<<" {
			merges = append(merges, n.Content[i+1])
		}
	}
	for _, m := range merges {
		m = deref(m)
		switch m.Kind {
		case yaml3.MappingNode:
			if k, v := mappingValue(m, key, depth+1); v != nil {
				return k, v
			}
		case yaml3.SequenceNode:
			for _, c := range m.Content {
				if c = deref(c); c.Kind == yaml3.MappingNode {
					if k, v := mappingValue(c, key, depth+1); v != nil {
						return k, v
					}
				}
			}
		}
	}
	return nil, nil
}

// deref follows aliases to the anchored node.
func deref(n *yaml3.Node) *yaml3.Node {
	for i := 0; n.Kind == yaml3.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}
