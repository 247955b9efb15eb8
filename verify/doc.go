// Package verify proves translations: it decides the same requests under Istio's semantics
// and under the destination's, and reports every request on which they differ.
//
// Istio's side is the neutral model's evaluator (model.EvaluateWith, PeerAuthentication
// included) over the snapshot Istio's reader made of the input, and, for routing, the first matching rule of the VirtualService
// (package verify/istio). The destination's side reads the emitted objects themselves, never
// the model: verify/smi (TrafficTarget, HTTPRouteGroup, TCPRoute, TrafficSplit, read as the
// chosen consumer reads them), verify/linkerd (Server, AuthorizationPolicy, authentications,
// inbound routes, default inbound policy), verify/gatewayapi (GAMMA routes, routing only:
// Gateway API has no authorization) and verify/istio (AuthorizationPolicy output, decoded back
// and evaluated by Istio's rules).
//
// Requests come in classes. For access, model.RequestClasses crosses every destination
// workload, port, caller (each identity, namespace and trust domain named, a caller without
// mTLS and a stranger), method, path (exact, prefix, suffix and template hits and misses) and
// header, IP, JWT and SNI value the Istio policies name, and also those the emitted objects
// name, so that a source or path that only the output mentions is tried. Both sides are asked
// only about the ports a workload is taken to listen on: meshbridge assumes a workload that
// declares container ports listens only on those and on the ports its Services target (the
// report's header states it); one that declares none is asked about every port. For routing, every
// Service a mesh VirtualService or an emitted route names is called on each of its ports, from
// each namespace involved and one nothing names, with every path, method, header, host and
// query value the matches name (and samples of their regular expressions), one at a time and
// together.
//
// A request the destination allows and Istio denies is widened: the translation broke the
// contract, and Report.Fails says so. One Istio allows and the destination denies is narrowed;
// one routed elsewhere is rerouted. Both are allowed when the translation reported them: each
// difference lists the error and warning finding codes on the Istio objects behind it.
// Differences are grouped by both verdicts and the caller, with the first request of each
// group as a concrete example.
package verify
