// Package translate is the one pure translation that the CLI and the controller share:
// inventory in, target objects and findings out.
//
//	inventory ── istio.Read ──> model.Snapshot ── writer.Write ──> objects + findings
//
// It does no I/O. Writers are registered explicitly in Writers, not by init side effects.
package translate
