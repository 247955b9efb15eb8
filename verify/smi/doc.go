// Package smi decides requests under the Service Mesh Interface, reading the SMI objects a
// translation emitted, as the consumer named by --mesh reads them.
//
// Access (TrafficTarget, HTTPRouteGroup, TCPRoute) is deny by default once the consumer
// enforces it (OSM with permissive mode off, Traefik Mesh in ACL mode): a request is allowed
// when some TrafficTarget names the destination pod's service account, the caller's service
// account among its sources, and a rule that matches. HTTP requests match HTTPRouteGroup
// matches (methods, pathRegex, headers, ANDed); TCP connections match TCPRoutes (ports, or
// every port). Callers without a mesh identity, or with one from another trust domain, are
// never admitted. Regular expressions are read as each consumer reads them: OSM matches
// pathRegex and header values in full (Envoy safe_regex); Traefik Mesh anchors pathRegex at
// the start only and searches header values; the generic smi profile follows the
// specification (anchored at the start) and searches header values. linkerd-smi enforces no
// SMI access at all, so every request is allowed there.
//
// Routing (TrafficSplit) is client side and applies to every port: a request to a root
// Service goes to the backends of the split whose HTTPRouteGroup matches it, or of a split
// without matches, or else to the root Service itself.
package smi
