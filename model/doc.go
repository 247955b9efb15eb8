// Package model is meshbridge's neutral model of service-mesh policy: who may call which
// workload (access), how requests to a service are routed (routing), and what the translation
// could not carry over (findings).
//
// Readers (translate/istio) fill a Snapshot; writers (translate/smi, translate/gatewayapi, …)
// read it. Nothing else touches the model, and the model imports no Istio, SMI, Gateway API or
// controller-runtime package, so every writer is held to the same semantics.
//
// # Provenance
//
// Every element carries an Origin (the source object) and a field path, so that a finding about
// it can point a user at the exact line of YAML that caused it.
//
// # Access
//
// Access keeps Istio's decision procedure explicit rather than flattening it: per workload,
// CUSTOM, then DENY, then ALLOW, with default-allow when no ALLOW policy applies and
// default-deny once one does. Negations and conditions a target cannot hold stay in the model;
// narrowing them (never widening) is the writer's job, and so is saying so with a Finding.
//
// # Routing
//
// Routing is an ordered list of rules per VirtualService: Istio matches rules in order, and
// writers for precedence-based targets must preserve that order or report it.
//
// # Inventory
//
// The Inventory lists the input's namespaces, Services, service accounts and workloads, each
// sorted by namespace and name. Lookups search those sorted lists (a namespace is one run of
// each list), so finding what a policy, a Service or a workload concerns costs what it returns,
// not a pass over the whole input; there is no separate index that could fall out of date.
//
// # Findings
//
// A Finding is a value with a stable Code from the Catalog, a Severity, the Origin and the field
// path. Findings are returned, never logged; the CLI prints them and the controller records them
// as Events. docs/findings.md is generated from the Catalog.
package model
