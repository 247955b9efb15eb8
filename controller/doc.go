// Package controller runs meshbridge's translation continuously against a cluster: the
// controller behind `translator run`.
//
// # What it watches
//
// The Istio kinds the reader handles (VirtualService, DestinationRule, Gateway,
// AuthorizationPolicy, PeerAuthentication, and rbac.istio.io/v1alpha1 where its CRDs exist),
// each at the best version the API server serves (v1, then v1beta1, then v1alpha3), found
// through discovery and re-checked periodically so that CRDs installed later are picked up.
// They are decoded as the informer receives them, by the CLI's loader (load.Decode), into the
// inventory's v1 Go types, once per version (decode.go): a cluster object is read exactly as the
// same object in a file. The informer cache then keeps only their metadata and the namespaces
// they reference (refs.go), and the decoded objects are kept packed (compact.go). Alongside them
// it watches what the reader resolves policies against: Services, Deployments, StatefulSets,
// DaemonSets and Pods, trimmed to what the reader reads (transform.go), and ServiceAccounts and
// Namespaces as metadata only. Outputs are watched as metadata only, so that an edit to an owned
// object brings it back and a blocking object's removal is noticed.
//
// # Reconciling a namespace
//
// The unit of work is one namespace N, the namespace of the output objects. Reconcile gathers
// the inventory N's output depends on: the Istio objects in N, those in the root namespace
// (mesh-wide policy), and those elsewhere that shape N's output (routes to its Services,
// through its gateways); and the Services, workloads and service accounts of N and of the
// namespaces those objects need (hosts, source namespaces and principals). It runs the same
// pure translation the CLI runs (translate.Translate), keeps the objects it wrote into N, and
// then:
//
//   - applies with server-side apply, under the field manager "meshbridge", each object that
//     is not already in the cluster as translated (a hash annotation, and a ledger of what it
//     applied that tells edits by others: ledger.go), labelled
//     app.kubernetes.io/managed-by=meshbridge and meshbridge.io/owner-namespace=N, keeping the
//     writer's meshbridge.io/source annotation;
//   - refuses to touch an object of the same name that lacks those labels (finding MB7002);
//   - deletes owned objects in N that the translation no longer produces;
//   - when an input object cannot be read at all (MB7001), applies and deletes nothing in N, so
//     the last good output stays until the input is fixed.
//
// Findings become Kubernetes Events on their source objects (reason = the finding code),
// merged per object and reason and paced to the API client's rate (events.go), and Prometheus
// metrics in controller-runtime's registry; see metrics.go and docs/controller.md.
//
// # Pure parts
//
// Deciding what to apply, what to leave alone and what to prune (plan.go), whether an output
// drifted (ledger.go), which namespaces an object references (refs.go), what the cache keeps
// (transform.go) and which kind versions to watch (kinds.go) are plain functions with unit
// tests. Everything that talks to an API server is tested against a real
// kube-apiserver and etcd (envtest), never a fake client.
package controller
