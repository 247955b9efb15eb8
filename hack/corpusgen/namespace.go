package corpusgen

import "fmt"

// appWords name applications; a namespace with more applications than words numbers them.
var appWords = []string{
	"frontend", "cart", "checkout", "catalog", "reviews", "ratings", "payments", "search",
	"users", "orders", "inventory", "shipping", "auth", "recommend", "notify", "billing",
}

// exposure says where an application's VirtualService applies.
type exposure int

const (
	meshOnly exposure = iota
	gatewayOnly
	meshAndGateway
	noRoutes
)

// app is one application of a namespace and the policy choices made for it.
type app struct {
	name, ns string
	canary   bool // a v2 Deployment, DestinationRule subsets and weighted routes
	database bool // TCP on 5432 instead of HTTP
	exposure exposure
	deny     bool     // a DENY policy beside the ALLOW
	when     bool     // the ALLOW carries a condition
	callers  []string // applications of the namespace that call this one
	peerNS   string   // another namespace allowed in
	version  string   // image tag
}

type namespace struct {
	name    string
	legacy  bool // rbac.istio.io/v1alpha1 instead of AuthorizationPolicies
	gateway bool // some application is exposed on the ingress Gateway
	mtls    bool // a PeerAuthentication
	apps    []*app
}

// namespace plans the i-th namespace.
func (g *gen) namespace(i int) *namespace {
	ns := &namespace{name: fmt.Sprintf("team-%04d", i)}
	n := 6 + g.rng.IntN(10)
	if g.mix == MixVSAP {
		n = 10
	} else {
		ns.legacy = i%10 == 3
		ns.mtls = g.chance(0.5)
	}
	for j := range n {
		name := appWords[j%len(appWords)]
		if j >= len(appWords) {
			name = fmt.Sprintf("%s-%d", name, j/len(appWords)+1)
		}
		a := &app{
			name: name, ns: ns.name,
			version: fmt.Sprintf("1.%d.%d", g.rng.IntN(20), g.rng.IntN(10)),
			peerNS:  fmt.Sprintf("team-%04d", 1+g.rng.IntN(i)),
		}
		if g.mix == MixMixed {
			a.canary = g.chance(0.6)
			a.database = j > 0 && g.chance(0.06)
			a.deny = g.chance(0.25)
		} else {
			a.deny = j%5 == 4 // one application in five has a DENY instead of an ALLOW
		}
		a.when = g.chance(0.05)
		switch r := g.rng.IntN(100); {
		case a.database || r < 70:
			a.exposure = meshOnly
		case r < 85:
			a.exposure = gatewayOnly
		case r < 92:
			a.exposure = meshAndGateway
		default:
			a.exposure = noRoutes
		}
		if g.mix == MixVSAP {
			a.exposure = meshOnly
			if j%4 == 3 {
				a.exposure = meshAndGateway
			}
		}
		if a.exposure == gatewayOnly || a.exposure == meshAndGateway {
			ns.gateway = true
		}
		// Callers: the frontend calls everyone; a few others call each other.
		if j > 0 {
			a.callers = append(a.callers, appWords[0])
			for k := 1; k < j && len(a.callers) < 3; k++ {
				if g.chance(0.2) {
					a.callers = append(a.callers, ns.appName(k))
				}
			}
		}
		ns.apps = append(ns.apps, a)
	}
	return ns
}

func (ns *namespace) appName(j int) string {
	if j < len(ns.apps) {
		return ns.apps[j].name
	}
	return appWords[j%len(appWords)]
}

// writeNamespace writes the namespace's objects, the namespace-wide ones first and then each
// application's, workloads before the policy that refers to them.
func (g *gen) writeNamespace(ns *namespace) {
	if g.mix == MixVSAP {
		for _, a := range ns.apps {
			g.service(a)
			g.deployment(a, "v1")
			g.virtualService(ns, a)
			if a.deny {
				g.denyPolicy(a)
			} else {
				g.allowPolicy(a)
			}
		}
		return
	}
	g.namespaceObject(ns)
	if ns.mtls {
		g.peerAuthentication(ns)
	}
	if ns.gateway {
		g.gatewayObject(ns)
	}
	if ns.legacy {
		g.legacy = append(g.legacy, ns.name)
	}
	for _, a := range ns.apps {
		g.service(a)
		g.deployment(a, "v1")
		if a.canary {
			g.deployment(a, "v2")
		}
		if a.canary || a.database {
			g.destinationRule(a)
		}
		if a.exposure != noRoutes {
			g.virtualService(ns, a)
		}
		if ns.legacy {
			g.serviceRole(a)
			g.serviceRoleBinding(a)
			continue
		}
		g.allowPolicy(a)
		if a.deny {
			g.denyPolicy(a)
		}
	}
}
