// Package istio holds Istio's side of translator verify, and the evaluator for the Istio
// target (AuthorizationPolicy output).
//
// Routes routes requests by VirtualServices as sidecars do: the VirtualService for the
// Service that is exported to the client's namespace (the client's own namespace first, then
// the Service's), whose first matching rule decides; 404 when HTTP rules exist and none
// matches; the Service's endpoints when no VirtualService applies. Destinations are named by
// the pods they reach: the Service's selector merged with the DestinationRule subset's labels.
//
// Decode reads emitted security.istio.io and networking.istio.io objects back with the
// project's own Istio reader, beside the input's workloads, and Access decides requests on
// the result with the model's evaluator of Istio authorization.
package istio
