package model

// Codes found by the Gateway API writer.
var gatewayAPICatalog = []CatalogEntry{}
