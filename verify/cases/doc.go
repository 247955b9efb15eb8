// Package cases runs golden translation cases: one folder per case, holding input.yaml, the
// expected output per target (<target>.yaml), the expected findings (findings.txt) or, for
// input that must be refused, the expected error (error.txt), and optionally case.yaml with
// the translation's options (namespace, mesh per target, channel, rootNamespace).
//
// The project's fixtures/ and users' own cases (translator test DIR) use the same layout and
// the same code: List finds the cases, Case.Run translates one for the targets, Goldens names
// the files to compare, Compare diffs them (internal/golden.Diff) and Update rewrites them.
package cases
