package model

// Codes found by the SMI writer.
var smiCatalog = []CatalogEntry{}
