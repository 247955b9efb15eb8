// Package semantics holds what every destination evaluator of translator verify shares: the
// interfaces an evaluator implements (Authorizer for access, Router for routing), the
// requests they are asked about, and the readings of strings and regular expressions that the
// destinations document.
//
// An evaluator reads the objects a translation emitted (or a user wrote by hand), never the
// neutral model: verify compares what Istio decides from its own objects with what the
// destination decides from its own, so that a bug in a writer cannot hide behind the model
// the writer read. The evaluators live in the sibling packages (verify/smi, verify/linkerd,
// verify/gatewayapi, verify/istio); this package imports none of them.
package semantics
