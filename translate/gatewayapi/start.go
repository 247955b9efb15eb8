package gatewayapi

import (
	"regexp/syntax"
	"unicode"
)

// Two matches whose values must begin differently never meet: /items/[0-9]+ and
// (?i)/reports/.* differ in their second character whatever follows. A start is, for each of
// the first positions a pattern fixes, the set of characters that position may hold (as
// sorted rune ranges, lo-hi pairs); it ends where the pattern stops fixing positions
// (repetition, alternation, an end anchor). Istio matches regular expressions against the
// whole value, so the start of a pattern is the start of every value it matches.

// start is one rune-range set per leading position.
type start [][]rune

var anyRune = []rune{0, unicode.MaxRune}

// literalStart is the start of values that begin with s.
func literalStart(s string) start {
	var out start
	for _, r := range s {
		out = append(out, []rune{r, r})
	}
	return out
}

// regexStart is the start of values matching pattern; nil when Go cannot parse it.
func regexStart(pattern string) start {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	out, _ := appendStart(nil, re.Simplify())
	return out
}

// appendStart adds the positions re fixes; whole reports that re was walked to its end with
// a fixed length, so the positions after it still line up.
func appendStart(out start, re *syntax.Regexp) (_ start, whole bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginText, syntax.OpBeginLine:
		return out, true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				out = append(out, foldRanges(r))
			} else {
				out = append(out, []rune{r, r})
			}
		}
		return out, true
	case syntax.OpCharClass:
		return append(out, re.Rune), true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return append(out, anyRune), true
	case syntax.OpCapture:
		return appendStart(out, re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			var whole bool
			if out, whole = appendStart(out, sub); !whole {
				return out, false
			}
		}
		return out, true
	case syntax.OpPlus:
		out, _ = appendStart(out, re.Sub[0]) // one repetition at least
		return out, false
	case syntax.OpRepeat:
		if re.Min > 0 {
			out, _ = appendStart(out, re.Sub[0])
		}
		return out, false
	}
	return out, false
}

// foldRanges is the set of runes equal to r under simple case folding.
func foldRanges(r rune) []rune {
	rs := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		rs = append(rs, f)
	}
	var out []rune
	for _, x := range rs {
		out = append(out, x, x)
	}
	return out
}

// disjointStarts reports whether no value can have both starts.
func disjointStarts(a, b start) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if !rangesMeet(a[i], b[i]) {
			return true
		}
	}
	return false
}

func rangesMeet(a, b []rune) bool {
	for i := 0; i+1 < len(a); i += 2 {
		for j := 0; j+1 < len(b); j += 2 {
			if a[i] <= b[j+1] && b[j] <= a[i+1] {
				return true
			}
		}
	}
	return false
}

// pathStart is the start of every path p matches.
func pathStart(p pathMatch) start {
	if p.kind == pathRegex {
		return regexStart(p.value)
	}
	return literalStart(p.value)
}

// valStart is the start of every value v matches.
func valStart(v val) start {
	switch v.kind {
	case valExact, valPrefix:
		return literalStart(v.value)
	case valRegex:
		return regexStart(v.value)
	}
	return nil
}
