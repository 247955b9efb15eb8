package corpusgen

import (
	"fmt"
	"strings"
)

// The networking.istio.io objects: Gateways, DestinationRules and VirtualServices.

func (g *gen) gatewayObject(ns *namespace) {
	g.doc("Gateway", `apiVersion: %[1]s
kind: Gateway
metadata:
  name: ingress
  namespace: %[2]s
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: 80
      name: http
      protocol: HTTP
    hosts:
    - "*.%[2]s.example.com"
  - port:
      number: 443
      name: https
      protocol: HTTPS
    tls:
      mode: SIMPLE
      credentialName: %[2]s-cert
    hosts:
    - "*.%[2]s.example.com"
`, g.networkingVersion(), ns.name)
}

func (g *gen) destinationRule(a *app) {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: %[1]s
kind: DestinationRule
metadata:
  name: %[2]s
  namespace: %[3]s
spec:
  host: %[2]s.%[3]s.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: %[4]d
`, g.networkingVersion(), a.name, a.ns, 100*(1+g.rng.IntN(10)))
	if !a.database {
		b.WriteString(`      http:
        http1MaxPendingRequests: 64
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 30s
      baseEjectionTime: 60s
`)
	}
	if g.chance(0.3) {
		b.WriteString("    tls:\n      mode: ISTIO_MUTUAL\n")
	}
	if a.canary {
		b.WriteString(`  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
`)
	}
	g.doc("DestinationRule", "%s", b.String())
}

func (g *gen) virtualService(ns *namespace, a *app) {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: %[1]s
kind: VirtualService
metadata:
  name: %[2]s
  namespace: %[3]s
spec:
`, g.networkingVersion(), a.name, a.ns)
	host := a.name
	if g.chance(0.3) {
		host = a.name + "." + a.ns + ".svc.cluster.local"
	}
	external := a.name + "." + a.ns + ".example.com"
	switch a.exposure {
	case meshOnly:
		fmt.Fprintf(&b, "  hosts:\n  - %s\n", host)
	case gatewayOnly:
		fmt.Fprintf(&b, "  hosts:\n  - %s\n  gateways:\n  - %s\n", external, pick(g, "ingress", ns.name+"/ingress"))
	case meshAndGateway:
		fmt.Fprintf(&b, "  hosts:\n  - %s\n  - %s\n  gateways:\n  - mesh\n  - ingress\n", host, external)
	}
	if a.database {
		fmt.Fprintf(&b, `  tcp:
  - match:
    - port: 5432
    route:
    - destination:
        host: %s
        port:
          number: 5432
`, host)
		g.doc("VirtualService", "%s", b.String())
		return
	}
	b.WriteString("  http:\n")
	if a.canary {
		fmt.Fprintf(&b, `  - name: testers
    match:
    - headers:
        end-user:
          exact: tester-%[2]d
      uri:
        prefix: /
    route:
    - destination:
        host: %[1]s
        subset: v2
`, host, g.rng.IntN(100))
	}
	if a.exposure != meshOnly {
		fmt.Fprintf(&b, `  - name: external-api
    match:
    - uri:
        prefix: /%[1]s/
      ignoreUriCase: true
    rewrite:
      uri: /
    headers:
      request:
        set:
          x-forwarded-app: %[1]s
    route:
    - destination:
        host: %[1]s.%[2]s.svc.cluster.local
        port:
          number: 80
`, a.name, a.ns)
	}
	fmt.Fprintf(&b, `  - name: api
    match:
    - uri:
        prefix: /api/v%[2]d/
      method:
        exact: GET
    - uri:
        regex: ^/api/v%[2]d/items/[0-9]+$
    rewrite:
      uri: /v%[2]d/
    retries:
      attempts: %[3]d
      perTryTimeout: 2s
      retryOn: 5xx,connect-failure,refused-stream
    timeout: %[4]ds
    route:
`, host, 1+g.rng.IntN(3), 1+g.rng.IntN(4), 5*(1+g.rng.IntN(6)))
	g.split(&b, host, a.canary)
	fmt.Fprintf(&b, `  - name: default
    timeout: 30s
    route:
`)
	g.split(&b, host, a.canary)
	g.doc("VirtualService", "%s", b.String())
}

// split writes a route: a weighted canary split between subsets, or the one host.
func (g *gen) split(b *strings.Builder, host string, canary bool) {
	if !canary {
		fmt.Fprintf(b, "    - destination:\n        host: %s\n", host)
		return
	}
	w := pick(g, 50, 80, 90, 95, 99)
	fmt.Fprintf(b, `    - destination:
        host: %[1]s
        subset: v1
      weight: %[2]d
    - destination:
        host: %[1]s
        subset: v2
      weight: %[3]d
`, host, w, 100-w)
}
