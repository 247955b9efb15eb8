// Package corpusgen writes large, deterministic corpora of Istio configuration for measuring
// meshbridge: the inputs of `make corpus`, of the stage benchmarks in cmd/translator and of
// the whole-process measurements of hack/bench/measure.
//
// A corpus looks like what a platform team exports from a big cluster. It is a folder with
// one file per namespace (ns-0001.yaml, …) and cluster.yaml for cluster-scoped objects. Each
// namespace holds a Namespace, a handful of applications and the policy around them:
//
//   - per application: a Service, a Deployment per version (v1, and v2 for canaries) with
//     its service account and probes, a DestinationRule with version subsets, and a
//     VirtualService: mostly mesh routes (header-matched canaries, weighted splits, rewrites,
//     retries, timeouts, TCP for databases), some bound to the namespace's ingress Gateway,
//     some to both;
//   - AuthorizationPolicies: an ALLOW per application naming principals, namespaces, methods
//     and paths, and for some a DENY beside it; a few use conditions;
//   - a PeerAuthentication in half the namespaces;
//   - every tenth namespace is a legacy one that still uses rbac.istio.io/v1alpha1
//     ServiceRoles and ServiceRoleBindings, switched on by one ClusterRbacConfig in
//     cluster.yaml.
//
// The networking and security objects are written at v1, v1beta1 and v1alpha3, as real
// exports mix them. Options.Mix = MixVSAP instead writes only what the performance target
// names: per application a Service, a Deployment, a VirtualService and an
// AuthorizationPolicy, so that 40k objects hold 10k VirtualServices and 10k
// AuthorizationPolicies.
//
// Output depends only on Options: the same options give byte-identical files (math/rand/v2's
// PCG with a fixed seed; no maps are iterated). Objects is exact: generation stops at that
// many objects, so the last namespace may be partial.
package corpusgen
