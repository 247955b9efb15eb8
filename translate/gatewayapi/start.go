package gatewayapi

import (
	"regexp/syntax"
	"sync"
	"unicode"
	"unicode/utf8"
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

// regexStart is the start of values matching pattern; nil when Go cannot parse it. Starts are
// kept: the order analysis asks for the same few patterns for every pair of matches. Callers
// must not change the result.
func regexStart(pattern string) start {
	starts.Lock()
	st, ok := starts.m[pattern]
	starts.Unlock()
	if ok {
		return st
	}
	if re, err := syntax.Parse(pattern, syntax.Perl); err == nil {
		st, _ = appendStart(nil, re.Simplify())
	}
	starts.Lock()
	if len(starts.m) >= maxStarts {
		starts.m = nil // a long-running controller sees ever new patterns: start over
	}
	if starts.m == nil {
		starts.m = map[string]start{}
	}
	starts.m[pattern] = st
	starts.Unlock()
	return st
}

// starts caches regexStart by pattern, up to maxStarts patterns.
var starts struct {
	sync.Mutex
	m map[string]start
}

const maxStarts = 1 << 14

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

// disjointLiteral reports whether no value can both begin with s and have start st.
func disjointLiteral(s string, st start) bool {
	for i := 0; i < len(st) && s != ""; i++ {
		r, n := utf8.DecodeRuneInString(s)
		if !runeIn(r, st[i]) {
			return true
		}
		s = s[n:]
	}
	return false
}

// runeIn reports whether r is in the rune ranges rs (lo-hi pairs).
func runeIn(r rune, rs []rune) bool {
	for j := 0; j+1 < len(rs); j += 2 {
		if rs[j] <= r && r <= rs[j+1] {
			return true
		}
	}
	return false
}

// disjointLiterals reports whether no value can begin with both a and b.
func disjointLiterals(a, b string) bool {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return true
		}
		a, b = a[na:], b[nb:]
	}
	return false
}

// disjointPaths reports whether no path can match both a and b, judging by their starts (a
// literal path is its own start).
func disjointPaths(a, b pathMatch) bool {
	return disjointBegin(a.kind == pathRegex, a.value, b.kind == pathRegex, b.value)
}

// disjointVals is disjointPaths for value matches of kind valExact, valPrefix or valRegex.
func disjointVals(a, b val) bool {
	return disjointBegin(a.kind == valRegex, a.value, b.kind == valRegex, b.value)
}

// disjointBegin compares two beginnings, each a regular expression or a literal prefix.
func disjointBegin(aRegex bool, a string, bRegex bool, b string) bool {
	switch {
	case aRegex && bRegex:
		return disjointStarts(regexStart(a), regexStart(b))
	case aRegex:
		return disjointLiteral(b, regexStart(a))
	case bRegex:
		return disjointLiteral(a, regexStart(b))
	}
	return disjointLiterals(a, b)
}
