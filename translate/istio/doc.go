// Package istio reads Istio objects, and the Kubernetes workloads they refer to, into the
// neutral model. It keeps Istio's semantics exact; whatever it cannot carry into the model it
// reports as a finding with the field path, so that nothing is dropped in silence.
package istio
