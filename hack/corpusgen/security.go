package corpusgen

import (
	"fmt"
	"strings"
)

// The access policy: PeerAuthentications, AuthorizationPolicies and the legacy
// rbac.istio.io/v1alpha1 kinds.

func (g *gen) peerAuthentication(ns *namespace) {
	g.doc("PeerAuthentication", `apiVersion: %[1]s
kind: PeerAuthentication
metadata:
  name: default
  namespace: %[2]s
spec:
  mtls:
    mode: %[3]s
`, g.securityVersion(), ns.name, pick(g, "STRICT", "STRICT", "PERMISSIVE"))
}

func principal(ns, sa string) string { return "cluster.local/ns/" + ns + "/sa/" + sa }

// allowPolicy lets the application's callers (by principal) and a peer namespace in, on the
// methods and paths its API serves.
func (g *gen) allowPolicy(a *app) {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: %[1]s
kind: AuthorizationPolicy
metadata:
  name: %[2]s-allow
  namespace: %[3]s
spec:
  selector:
    matchLabels:
      app: %[2]s
  action: ALLOW
  rules:
`, g.securityVersion(), a.name, a.ns)
	if len(a.callers) > 0 {
		b.WriteString("  - from:\n    - source:\n        principals:\n")
		for _, c := range a.callers {
			fmt.Fprintf(&b, "        - %s\n", principal(a.ns, c))
		}
		if a.database {
			b.WriteString("    to:\n    - operation:\n        ports:\n        - \"5432\"\n")
		} else {
			b.WriteString(`    to:
    - operation:
        methods:
        - GET
        - POST
        - PUT
        paths:
        - /api/*
        - /v1/*
        - /v2/*
        - /v3/*
`)
		}
	}
	fmt.Fprintf(&b, `  - from:
    - source:
        namespaces:
        - %[1]s
        - istio-system
    to:
    - operation:
        methods:
        - GET
        paths:
        - /healthz
        - /metrics
`, a.peerNS)
	if a.when {
		fmt.Fprintf(&b, `    when:
    - key: request.headers[x-tenant]
      values:
      - tenant-%d
`, g.rng.IntN(50))
	}
	g.doc("AuthorizationPolicy", "%s", b.String())
}

// denyPolicy keeps other namespaces away from the admin and internal paths.
func (g *gen) denyPolicy(a *app) {
	g.doc("AuthorizationPolicy", `apiVersion: %[1]s
kind: AuthorizationPolicy
metadata:
  name: %[2]s-deny-admin
  namespace: %[3]s
spec:
  selector:
    matchLabels:
      app: %[2]s
  action: DENY
  rules:
  - from:
    - source:
        notNamespaces:
        - %[3]s
    to:
    - operation:
        paths:
        - /admin/*
        - /internal/*
  - to:
    - operation:
        methods:
        - DELETE
        notPaths:
        - /api/*
`, g.securityVersion(), a.name, a.ns)
}

func (g *gen) serviceRole(a *app) {
	g.doc("ServiceRole", `apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata:
  name: %[1]s-viewer
  namespace: %[2]s
spec:
  rules:
  - services:
    - %[1]s.%[2]s.svc.cluster.local
    methods:
    - GET
    - HEAD
    paths:
    - /api/*
    - /healthz
`, a.name, a.ns)
}

func (g *gen) serviceRoleBinding(a *app) {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata:
  name: bind-%[1]s-viewer
  namespace: %[2]s
spec:
  subjects:
`, a.name, a.ns)
	for _, c := range a.callers {
		fmt.Fprintf(&b, "  - user: %s\n", principal(a.ns, c))
	}
	fmt.Fprintf(&b, `  - properties:
      source.namespace: %[2]s
  roleRef:
    kind: ServiceRole
    name: %[1]s-viewer
`, a.name, a.peerNS)
	g.doc("ServiceRoleBinding", "%s", b.String())
}

func (g *gen) clusterRbacConfig() {
	var b strings.Builder
	b.WriteString(`apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata:
  name: default
spec:
  mode: ON_WITH_INCLUSION
  inclusion:
    namespaces:
`)
	for _, ns := range g.legacy {
		fmt.Fprintf(&b, "    - %s\n", ns)
	}
	if len(g.legacy) == 0 {
		b.WriteString("    - team-0003\n")
	}
	g.doc("ClusterRbacConfig", "%s", b.String())
}
