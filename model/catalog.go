package model

import (
	"cmp"
	"slices"
	"sync"
)

// Code is a stable finding code such as MB1001. A code is never reused for another meaning:
// retired codes stay in the catalog with Retired set.
//
// Ranges: MB1xxx loading input, MB2xxx reading Istio objects, MB3xxx the SMI writer,
// MB4xxx the Gateway API writer, MB5xxx the Linkerd writer, MB6xxx the Istio writer,
// MB7xxx the controller.
type Code string

// CatalogEntry documents one finding code. docs/findings.md is generated from these entries and
// `translator explain CODE` prints one.
type CatalogEntry struct {
	Code     Code
	Severity Severity
	// Title is a short noun phrase, e.g. "Ignored kind".
	Title string
	// Meaning says what happened to the input, in a sentence or two.
	Meaning string
	// Remedy says what the user can do about it.
	Remedy string
	// Retired codes are no longer emitted; they are kept so the code is never reused.
	Retired bool
}

// catalogParts holds each area's entries; each area keeps its own file (catalog_*.go).
var catalogParts = [][]CatalogEntry{loadCatalog, istioCatalog, gatewayAPICatalog, smiCatalog, controllerCatalog, linkerdCatalog, istioPolicyCatalog}

var catalogIndex = sync.OnceValue(func() map[Code]CatalogEntry {
	m := map[Code]CatalogEntry{}
	for _, part := range catalogParts {
		for _, e := range part {
			m[e.Code] = e
		}
	}
	return m
})

// Lookup returns the catalog entry for code.
func Lookup(code Code) (CatalogEntry, bool) {
	e, ok := catalogIndex()[code]
	return e, ok
}

// Catalog returns every entry, ordered by code.
func Catalog() []CatalogEntry {
	var all []CatalogEntry
	for _, part := range catalogParts {
		all = append(all, part...)
	}
	slices.SortFunc(all, func(a, b CatalogEntry) int { return cmp.Compare(a.Code, b.Code) })
	return all
}
