// Package smi writes the model as Service Mesh Interface objects: TrafficTarget, HTTPRouteGroup
// and TCPRoute for access, TrafficSplit for weighted routing, at the API versions the chosen
// consumer serves.
//
// # Profiles
//
// SMI is archived and every consumer froze at different versions, so opts.Mesh picks a profile
// (profile.go; facts in shared/reference/targets.md §1):
//
//	osm           access v1alpha3, specs v1alpha4, split v1alpha2 (no matches)
//	traefik-mesh  access v1alpha2 (destination port), specs v1alpha3 (TCPRoute without ports), split v1alpha3
//	linkerd-smi   split v1alpha2 only; access control belongs to the Linkerd writer (MB3002)
//	smi, ""       the last spec: access v1alpha3, specs v1alpha4, split v1alpha4
//
// An unknown mesh writes nothing and reports MB3001.
//
// # Access: an allow-list compiler
//
// SMI names both ends by service account and only allows; everything else is denied once the
// consumer enforces access (MB3018: OSM with permissive mode off, Traefik Mesh in ACL mode).
// The writer therefore works per destination service account (access.go): it finds the ALLOW,
// DENY and CUSTOM policies that apply to the workloads running as it, computes for every
// source service account the clauses it may use (clause.go: any traffic, TCP only, or HTTP
// requests matching methods, a path regex and header regexes, on some or all ports), removes
// what DENY and CUSTOM policies deny (deny.go), and writes one TrafficTarget per group of sources
// with equal clauses, referencing one HTTPRouteGroup and the TCPRoutes (objects.go). Objects live
// in the destination's namespace, as OSM requires.
//
// Istio's implicit decisions are kept: a destination no ALLOW policy selects is allowed to
// every known caller, minus what DENY policies take away (MB3017 says how many were written, or
// that none was), one with an allow-nothing policy gets nothing (MB3024), and dry-run and AUDIT
// policies are not written (MB3003, MB3004).
//
// # Never widen
//
// Every step may only shrink what is allowed, and says so with a finding:
//   - Sources become the known service accounts they match: namespaces, wildcards, negations and
//     rules without sources are expanded from the inventory, a snapshot (MB3008); callers without
//     identity cannot be named unless mutual TLS is STRICT (MB3009). JWT, IP and non-service
//     account principals drop the source (MB3010); a principal of another trust domain matches
//     nothing (MB3019).
//   - On ports where PeerAuthentication disables mutual TLS, Istio sees no peer identity: sources
//     that need one (principals, namespaces, service accounts, trust domains, source.* values)
//     are written only for the declared ports with mutual TLS (MB3027), and a DENY whose sources
//     also match callers without identity is folded for every caller on the plain-text ports
//     (mtls.go). PERMISSIVE needs nothing: identity-based rules match only mTLS callers there.
//   - Operations SMI cannot hold (hosts, notHosts, notPaths, unrenderable paths) are dropped
//     (MB3011); `when` keys other than request headers, destination.port and source identity
//     drop their rule (MB3012); notPorts and notMethods are expanded over the declared ports
//     and SMI's methods (MB3025).
//   - Ports are container ports, as Istio's (ports.go). A TCPRoute lists a rule's ports exactly:
//     Istio denies ports a rule does not name, declared or not. With access v1alpha3,
//     HTTPRouteGroup has no port and rules are ORed, so HTTP traffic limited to some ports is
//     written for every port when the ports cover every port the workloads declare, assuming
//     they serve on no other (MB3028), and not at all otherwise (MB3013); access v1alpha2 writes
//     one TrafficTarget per destination port instead. For a consumer whose reading of TCPRoute
//     ports is unknown (--mesh smi), a port that is also a Service port forwarding elsewhere is
//     left out; Traefik Mesh matches destination ports against numeric Service targetPorts
//     (MB3029).
//   - A policy attached to a Service (a waypoint) is enforced at the Service's workloads
//     (MB3030), and not written beside an ALLOW policy of their own, to which it would add
//     (MB3031; waypoint.go).
//   - A DENY is folded into the allow-list when what it denies has a finite complement (service
//     accounts, ports, methods: MB3014). Otherwise the allowed requests it overlaps are dropped
//     (MB3015), and conditions SMI cannot check are taken to match, so it denies more. On TCP
//     traffic a DENY's HTTP conditions are ignored, as Istio does. CUSTOM is folded as a DENY
//     (MB3016): its external authorizer may deny anything it is asked about.
//   - A TrafficTarget applies to every pod of its service account. A policy is not written for
//     a service account that also runs workloads it does not select and that have policies of
//     their own (MB3007); default-allow workloads sharing it only get what the policy allows
//     (MB3026).
//
// Paths and header values are regexes read differently by consumers: OSM (Envoy) matches in
// full, Traefik Mesh anchors paths at the start only and searches header values. Renderings
// (regex.go) mean the same under both: exact paths end in "$", prefixes in ".*", suffixes and
// Istio's {*}/{**} templates (Envoy's character classes) are anchored, and header regexes carry
// ^ and $. Headers are written sorted by name, by hand: the SDK marshals them from a Go map.
//
// # Routing
//
// A TrafficSplit sends what every client addresses to its root Service to weighted backend
// Services, optionally only the requests matching HTTPRouteGroup headers (split v1alpha3 and
// later); other requests reach the root Service unsplit. A mesh VirtualService for one Service
// becomes TrafficSplits only when every request it routes still reaches Istio's destination;
// otherwise it is reported with an error:
//   - Scope (split_scope.go): it is written, in the Service's namespace, only when it applies to
//     every client (no exportTo, or "*"); one for some namespaces is not (MB3032), one exported
//     nowhere routes nobody (MB3036), and when several apply to every client of one Service,
//     none is (MB3035).
//   - Plan (split_plan.go): each rule Istio can reach becomes a TrafficSplit (weighted Services
//     of the root's namespace, subsets as generated Services, MB3022; header-only matches where
//     the split version has matches), nothing (a rule to the root Service itself), or is not
//     written: other matches (MB3023), destinations (MB3021), or actions that do not forward
//     (MB3020). Redirects, rewrites, header edits, mirrors, retries, timeouts, faults and CORS
//     have no SMI form (MB3020).
//   - Order (split_order.go): a later TrafficSplit must not take requests of a rule that is not
//     one, and of two splits that may match one request the consumer must prefer Istio's first
//     (Traefik Mesh ranks splits by their conditions; other consumers define no order).
//     Otherwise nothing is written for the VirtualService (MB3033). Requests that still reach
//     the root Service instead of Istio's destination, including those no rule matches, are
//     reported (MB3034).
//
// # Cost
//
// The writer's work grows with its input and output, not with the square of the input. Sources are
// expanded through an index of the known service accounts by namespace and name (accounts.go): a
// value is matched only against the accounts it can reach, never against every account of the
// input. A destination no ALLOW policy selects folds the accounts no DENY rule reaches once for
// all of them (Istio's default allow), and each destination looks up the policies of its workloads
// and the PeerAuthentications of its namespace. All of it only saves work: the exact matchers
// decide every match. Stream hands objects over as they are made, for callers that render them one
// by one.
package smi
