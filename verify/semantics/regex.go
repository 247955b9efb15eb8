package semantics

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
)

// The destinations read a regular expression in one of three ways. An expression that does
// not compile matches nothing (the destination would refuse or ignore it).

var cache sync.Map

func compiled(expr string) *regexp.Regexp {
	if v, ok := cache.Load(expr); ok {
		re, _ := v.(*regexp.Regexp)
		return re
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		re = nil
	}
	cache.Store(expr, re)
	return re
}

// FullMatch is Envoy's safe_regex (RE2) reading: the whole value must match.
func FullMatch(expr, s string) bool {
	re := compiled(`^(?:` + expr + `)$`)
	return re != nil && re.MatchString(s)
}

// StartMatch anchors the expression at the start of the value only.
func StartMatch(expr, s string) bool {
	re := compiled(`^(?:` + expr + `)`)
	return re != nil && re.MatchString(s)
}

// Search finds the expression anywhere in the value.
func Search(expr, s string) bool {
	re := compiled(expr)
	return re != nil && re.MatchString(s)
}

// Valid reports whether expr compiles as RE2.
func Valid(expr string) bool { return compiled(expr) != nil }

// maxSamples bounds how many strings Samples returns for one expression.
const maxSamples = 8

// Samples returns a few strings the expression matches in full: one per alternative, with
// optional parts both left out and taken once. Verify uses them as request literals, so that
// a path or header value only the destination's regex names is still tried. It returns nil for
// an expression that does not compile.
func Samples(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	out := samples(re.Simplify())
	seen := map[string]bool{}
	var uniq []string
	for _, s := range out {
		if !seen[s] && FullMatch(expr, s) {
			seen[s] = true
			uniq = append(uniq, s)
		}
	}
	return uniq
}

func samples(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		return []string{string(classRune(re.Rune))}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return []string{"x"}
	case syntax.OpCapture:
		return samples(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		return bounded(append([]string{""}, samples(re.Sub[0])...))
	case syntax.OpPlus:
		return samples(re.Sub[0])
	case syntax.OpRepeat:
		sub := samples(re.Sub[0])
		n := max(re.Min, 0)
		var out []string
		if n == 0 {
			out = append(out, "")
			n = 1
		}
		for _, s := range sub {
			out = append(out, strings.Repeat(s, n))
		}
		return bounded(out)
	case syntax.OpConcat:
		acc := []string{""}
		for _, sub := range re.Sub {
			var next []string
			for _, a := range acc {
				for _, b := range samples(sub) {
					next = append(next, a+b)
				}
			}
			acc = bounded(next)
		}
		return acc
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			out = append(out, samples(sub)...)
		}
		return bounded(out)
	}
	return []string{""} // anchors, word boundaries, empty match
}

// classRune picks a readable rune of a character class: a letter or digit if the class has
// one, else its first rune.
func classRune(ranges []rune) rune {
	for _, pref := range [][2]rune{{'a', 'z'}, {'0', '9'}, {'A', 'Z'}} {
		for i := 0; i+1 < len(ranges); i += 2 {
			lo, hi := max(ranges[i], pref[0]), min(ranges[i+1], pref[1])
			if lo <= hi {
				return lo
			}
		}
	}
	if len(ranges) == 0 {
		return 'x'
	}
	return ranges[0]
}

func bounded(s []string) []string {
	if len(s) > maxSamples {
		return s[:maxSamples]
	}
	return s
}
