package model

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// Severity says how much a finding matters. Error: access was narrowed, or an object (or the
// whole input) was refused. Warning: behaviour was approximated. Info: nothing was lost, but the
// user should know.
type Severity int

// Severities, from least to most severe.
const (
	Info Severity = iota
	Warning
	Error
)

var severityNames = [...]string{Info: "info", Warning: "warning", Error: "error"}

// String returns info, warning or error.
func (s Severity) String() string {
	if s < Info || s > Error {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity is the inverse of String.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want info, warning or error)", s)
}

// MarshalJSON writes the severity by name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a severity name.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var n string
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	v, err := ParseSeverity(n)
	*s = v
	return err
}

// Finding reports one thing the translation dropped, approximated, narrowed or refused.
type Finding struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`
	// Stage is "load", the reader ("istio") or the writer ("gatewayapi", "smi", …) that found it.
	Stage  string `json:"stage"`
	Origin Origin `json:"origin"`
	// Field is the field path in the source object, e.g. spec.http[0].match[1].uri.
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// String renders "severity CODE origin field: message".
func (f Finding) String() string {
	s := fmt.Sprintf("%s %s %s", f.Severity, f.Code, f.Origin)
	if f.Field != "" {
		s += " " + f.Field
	}
	return s + ": " + f.Message
}

// NewFinding builds a finding whose severity comes from the catalog entry of code. It panics on
// a code missing from the catalog: that is a programming error, and tests catch it.
func NewFinding(stage string, code Code, origin Origin, field, format string, args ...any) Finding {
	e, ok := Lookup(code)
	if !ok {
		panic(fmt.Sprintf("model: finding code %s is not in the catalog", code))
	}
	return Finding{
		Code: code, Severity: e.Severity, Stage: stage, Origin: origin, Field: field,
		Message: fmt.Sprintf(format, args...),
	}
}

// Findings is a list of findings.
type Findings []Finding

// Add appends a finding built with NewFinding.
func (fs *Findings) Add(stage string, code Code, origin Origin, field, format string, args ...any) {
	*fs = append(*fs, NewFinding(stage, code, origin, field, format, args...))
}

// Max returns the highest severity in the list, and false when the list is empty.
func (fs Findings) Max() (Severity, bool) {
	if len(fs) == 0 {
		return Info, false
	}
	m := Info
	for _, f := range fs {
		m = max(m, f.Severity)
	}
	return m, true
}

// Count returns how many findings have exactly severity s.
func (fs Findings) Count(s Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Sorted returns a copy ordered by file location, object, field, stage, code and message, with
// exact duplicates removed, so that output never depends on the order in which it was found.
func (fs Findings) Sorted() Findings {
	out := slices.Clone(fs)
	slices.SortFunc(out, compareFindings)
	return slices.CompactFunc(out, func(a, b Finding) bool { return compareFindings(a, b) == 0 && a.Severity == b.Severity })
}

func compareFindings(a, b Finding) int {
	if c := cmp.Compare(a.Origin.At.File, b.Origin.At.File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Origin.At.Doc, b.Origin.At.Doc); c != 0 {
		return c
	}
	if a.Origin.Object != b.Origin.Object {
		if a.Origin.Object.Less(b.Origin.Object) {
			return -1
		}
		return 1
	}
	return cmp.Or(
		cmp.Compare(a.Field, b.Field),
		cmp.Compare(a.Stage, b.Stage),
		cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.Message, b.Message),
	)
}
