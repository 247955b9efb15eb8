// Package inventory holds the typed Kubernetes and Istio objects a translation reads: the input
// of translate/istio. The CLI fills it from files (package load), the controller from its
// informer caches; both then call the same pure translation.
//
// Istio serves each kind at several versions with one schema (networking v1alpha3, v1beta1 and
// v1; security v1beta1 and v1). The inventory holds every object as the v1 Go type, with the
// apiVersion the source used kept in TypeMeta and in Locations.
package inventory
