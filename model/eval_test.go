package model

import (
	"reflect"
	"testing"
)

const td = "cluster.local"

func pol(ns, name string, a Action, sel map[string]string, rules ...AccessRule) AccessPolicy {
	return AccessPolicy{Namespace: ns, Name: name, Action: a, Target: Target{Namespace: ns, Selector: sel, MeshWide: ns == "istio-system"}, Rules: rules}
}

func snapOf(ps ...AccessPolicy) *Snapshot {
	return &Snapshot{Access: ps, RootNamespace: "istio-system", TrustDomain: td}
}

var httpbin = map[string]string{"app": "httpbin"}

// get is an HTTP GET / from the sleep service account in foo to httpbin in foo, port 8000.
func get() Request {
	return Request{Namespace: "foo", Labels: httpbin, Port: 8000, Principal: Peer(td, "foo", "sleep"),
		SourceIP: "10.0.0.1", Method: "GET", Path: "/", Host: "httpbin.foo"}
}

func with(r Request, f func(*Request)) Request {
	f(&r)
	return r
}

func TestEvaluateDecisionProcedure(t *testing.T) {
	allowGet := pol("foo", "allow-get", Allow, httpbin, AccessRule{To: []Operation{{Methods: []string{"GET"}}}})
	denyPost := pol("foo", "deny-post", Deny, httpbin, AccessRule{To: []Operation{{Methods: []string{"POST"}}}})
	post := with(get(), func(r *Request) { r.Method = "POST" })
	cases := []struct {
		name   string
		snap   *Snapshot
		req    Request
		allow  bool
		reason Reason
		by     string
	}{
		{"no policy allows everything", snapOf(), get(), true, ReasonNoAllowPolicy, "default"},
		{"an empty ALLOW policy allows nothing", snapOf(pol("foo", "nothing", Allow, nil)), get(), false, ReasonNotAllowed, "default"},
		{"rules [{}] allows everything", snapOf(pol("foo", "all", Allow, nil, AccessRule{})), post, true, ReasonAllowed, "foo/all#0"},
		{"a matching ALLOW allows", snapOf(allowGet), get(), true, ReasonAllowed, "foo/allow-get#0"},
		{"an ALLOW that does not match denies", snapOf(allowGet), post, false, ReasonNotAllowed, "default"},
		{"a DENY beside an ALLOW wins", snapOf(allowGet, pol("foo", "deny-all", Deny, nil, AccessRule{})), get(), false, ReasonDenied, "foo/deny-all#0"},
		{"a DENY alone leaves the rest allowed", snapOf(denyPost), get(), true, ReasonNoAllowPolicy, "default"},
		{"a DENY alone denies what it matches", snapOf(denyPost), post, false, ReasonDenied, "foo/deny-post#0"},
		{"a policy for other labels does not apply", snapOf(pol("foo", "other", Allow, map[string]string{"app": "x"})), get(), true, ReasonNoAllowPolicy, "default"},
		{"a policy in another namespace does not apply", snapOf(pol("bar", "nothing", Allow, nil)), get(), true, ReasonNoAllowPolicy, "default"},
		{"a root namespace policy applies mesh-wide", snapOf(pol("istio-system", "nothing", Allow, httpbin)), get(), false, ReasonNotAllowed, "default"},
		{"an AUDIT policy never decides", snapOf(pol("foo", "audit", Audit, nil, AccessRule{})), get(), true, ReasonNoAllowPolicy, "default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Evaluate(c.snap, c.req)
			if d.Allow != c.allow || d.Reason != c.reason || d.By.String() != c.by {
				t.Errorf("got %s, want allow=%v %s by %s", d, c.allow, c.reason, c.by)
			}
		})
	}
}

func TestEvaluateCustomAuditAndDryRun(t *testing.T) {
	custom := pol("foo", "ext", Custom, nil, AccessRule{To: []Operation{{Paths: []string{"/headers"}}}})
	custom.Provider = "ext-authz"
	headers := with(get(), func(r *Request) { r.Path = "/headers" })
	t.Run("a matching CUSTOM policy denies when its provider denies", func(t *testing.T) {
		d := Evaluate(snapOf(custom), headers)
		if d.Allow || d.Reason != ReasonCustomDenied || d.Provider != "ext-authz" {
			t.Errorf("got %s", d)
		}
	})
	t.Run("a provider that allows hands over to DENY and ALLOW", func(t *testing.T) {
		r := with(headers, func(r *Request) { r.ProviderAllows = map[string]bool{"ext-authz": true} })
		if d := Evaluate(snapOf(custom), r); !d.Allow || d.Provider != "ext-authz" {
			t.Errorf("got %s", d)
		}
		if d := Evaluate(snapOf(custom, pol("foo", "nothing", Allow, nil)), r); d.Allow {
			t.Errorf("got %s", d)
		}
	})
	t.Run("a CUSTOM policy that does not match asks nobody", func(t *testing.T) {
		if d := Evaluate(snapOf(custom), get()); !d.Allow || d.Provider != "" {
			t.Errorf("got %s", d)
		}
	})
	t.Run("AUDIT policies that match are listed", func(t *testing.T) {
		d := Evaluate(snapOf(pol("foo", "audit", Audit, nil, AccessRule{})), get())
		if len(d.Audited) != 1 || d.Audited[0].Policy.Name != "audit" {
			t.Errorf("audited = %v", d.Audited)
		}
	})
	dry := pol("foo", "deny-headers", Deny, httpbin, AccessRule{To: []Operation{{Paths: []string{"/headers"}}}})
	dry.DryRun = true
	t.Run("a dry-run DENY is reported but not enforced", func(t *testing.T) {
		d := Evaluate(snapOf(dry), headers)
		if !d.Allow || len(d.DryRun) != 1 {
			t.Errorf("got %s, dry-run %v", d, d.DryRun)
		}
	})
	t.Run("a dry-run ALLOW does not make the workload deny-by-default", func(t *testing.T) {
		p := pol("foo", "nothing", Allow, nil)
		p.DryRun = true
		if d := Evaluate(snapOf(p), get()); !d.Allow {
			t.Errorf("got %s", d)
		}
	})
	t.Run("DryRunEnforced evaluates dry-run policies as enforced", func(t *testing.T) {
		if d := EvaluateWith(snapOf(dry), headers, EvalOptions{DryRunEnforced: true}); d.Allow {
			t.Errorf("got %s", d)
		}
	})
}

func TestEvaluateSources(t *testing.T) {
	plain := with(get(), func(r *Request) { r.Principal = "" })
	cases := []struct {
		name string
		src  Source
		req  Request
		want bool
	}{
		{"principals * matches any mTLS peer", Source{Principals: []string{"*"}}, get(), true},
		{"principals * does not match a plain-text caller", Source{Principals: []string{"*"}}, plain, false},
		{"any-including-unauthenticated matches a plain-text caller", Source{AnyIncludingUnauthenticated: true}, plain, true},
		{"notPrincipals matches a plain-text caller", Source{NotPrincipals: []string{"*"}}, plain, true},
		{"notPrincipals excludes the named peer", Source{NotPrincipals: []string{Peer(td, "foo", "sleep")}}, get(), false},
		{"a principal prefix matches", Source{Principals: []string{td + "/ns/foo/*"}}, get(), true},
		{"a principal suffix matches", Source{Principals: []string{"*/sa/sleep"}}, get(), true},
		{"namespaces match the peer's namespace", Source{Namespaces: []string{"foo"}}, get(), true},
		{"namespaces take * anywhere", Source{Namespaces: []string{"f*"}}, get(), true},
		{"namespaces need mTLS", Source{Namespaces: []string{"*"}}, plain, false},
		{"notNamespaces exclude a namespace", Source{NotNamespaces: []string{"foo"}}, get(), false},
		{"a bare service account is in the policy's namespace", Source{ServiceAccounts: []string{"sleep"}}, get(), true},
		{"a bare service account does not match another namespace", Source{ServiceAccounts: []string{"sleep"}},
			with(get(), func(r *Request) { r.Principal = Peer(td, "bar", "sleep") }), false},
		{"namespace/account matches", Source{ServiceAccounts: []string{"foo/sleep"}}, get(), true},
		{"an account is not matched by its prefix", Source{ServiceAccounts: []string{"foo/sle"}}, get(), false},
		{"ipBlocks match a CIDR", Source{IPBlocks: []string{"10.0.0.0/8"}}, get(), true},
		{"ipBlocks match an address", Source{IPBlocks: []string{"10.0.0.2"}}, get(), false},
		{"remoteIpBlocks default to the source address", Source{RemoteIPBlocks: []string{"10.0.0.1"}}, get(), true},
		{"remoteIpBlocks use the original client", Source{RemoteIPBlocks: []string{"10.0.0.1"}},
			with(get(), func(r *Request) { r.RemoteIP = "1.2.3.4" }), false},
		{"trustDomains match the peer's trust domain", Source{TrustDomains: []string{"cluster.*"}}, get(), true},
		{"notTrustDomains exclude it", Source{NotTrustDomains: []string{td}}, get(), false},
		{"requestPrincipals * needs a token", Source{RequestPrincipals: []string{"*"}}, get(), false},
		{"requestPrincipals match issuer and subject", Source{RequestPrincipals: []string{"https://iss/sub"}},
			with(get(), func(r *Request) { r.RequestPrincipal = "https://iss/sub" }), true},
		{"requestPrincipals iss/* matches any subject of the issuer", Source{RequestPrincipals: []string{"iss.example/*"}},
			with(get(), func(r *Request) { r.RequestPrincipal = "iss.example/alice" }), true},
		{"notRequestPrincipals * means no token", Source{NotRequestPrincipals: []string{"*"}}, get(), true},
		{"fields of one source are ANDed", Source{Namespaces: []string{"foo"}, IPBlocks: []string{"192.168.0.0/16"}}, get(), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := snapOf(pol("foo", "p", Allow, nil, AccessRule{From: []Source{c.src}}))
			if d := Evaluate(s, c.req); d.Allow != c.want {
				t.Errorf("got %s, want allow=%v", d, c.want)
			}
		})
	}
}

func TestEvaluateOperationsAndConditions(t *testing.T) {
	path := func(p string) Request { return with(get(), func(r *Request) { r.Path = p }) }
	cases := []struct {
		name string
		rule AccessRule
		req  Request
		want bool
	}{
		{"an exact path", AccessRule{To: []Operation{{Paths: []string{"/ip"}}}}, path("/ip"), true},
		{"the query is ignored", AccessRule{To: []Operation{{Paths: []string{"/ip"}}}}, path("/ip?x=1"), true},
		{"a prefix path", AccessRule{To: []Operation{{Paths: []string{"/info*"}}}}, path("/info/a"), true},
		{"a suffix path", AccessRule{To: []Operation{{Paths: []string{"*.png"}}}}, path("/a/b.png"), true},
		{"{*} matches one segment", AccessRule{To: []Operation{{Paths: []string{"/foo/{*}"}}}}, path("/foo/bar"), true},
		{"{*} does not match two", AccessRule{To: []Operation{{Paths: []string{"/foo/{*}"}}}}, path("/foo/bar/baz"), false},
		{"{**} matches the rest", AccessRule{To: []Operation{{Paths: []string{"/foo/{**}/"}}}}, path("/foo/bar/baz/"), true},
		{"{**} matches nothing too", AccessRule{To: []Operation{{Paths: []string{"/foo/{**}/"}}}}, path("/foo//"), true},
		{"{**} then a literal needs the literal", AccessRule{To: []Operation{{Paths: []string{"/foo/{**}/"}}}}, path("/foo/bar"), false},
		{"notPaths exclude", AccessRule{To: []Operation{{NotPaths: []string{"/admin*"}}}}, path("/admin/x"), false},
		{"hosts ignore case", AccessRule{To: []Operation{{Hosts: []string{"HTTPBIN.foo"}}}}, get(), true},
		{"host suffixes", AccessRule{To: []Operation{{Hosts: []string{"*.foo"}}}}, get(), true},
		{"methods are exact", AccessRule{To: []Operation{{Methods: []string{"get"}}}}, get(), false},
		{"ports are the workload port", AccessRule{To: []Operation{{Ports: []string{"8000"}}}}, get(), true},
		{"notPorts exclude", AccessRule{To: []Operation{{NotPorts: []string{"8000"}}}}, get(), false},
		{"any one operation may match", AccessRule{To: []Operation{{Methods: []string{"POST"}}, {Paths: []string{"/"}}}}, get(), true},
		{"a header condition", AccessRule{When: []Condition{{Key: "request.headers[X-Token]", Values: []string{"admin"}}}},
			with(get(), func(r *Request) { r.Headers = map[string]string{"x-token": "admin"} }), true},
		{"a header notValues condition is true without the header", AccessRule{When: []Condition{{Key: "request.headers[x-token]", NotValues: []string{"admin"}}}}, get(), true},
		{"* on a header means present", AccessRule{When: []Condition{{Key: "request.headers[x-token]", Values: []string{"*"}}}},
			with(get(), func(r *Request) { r.Headers = map[string]string{"X-Token": ""} }), true},
		{"a list claim matches any element", AccessRule{When: []Condition{{Key: "request.auth.claims[groups]", Values: []string{"group1"}}}},
			with(get(), func(r *Request) { r.Claims = map[string][]string{"groups": {"group0", "group1"}} }), true},
		{"a nested claim", AccessRule{When: []Condition{{Key: "request.auth.claims[a][b]", Values: []string{"v"}}}},
			with(get(), func(r *Request) { r.Claims = map[string][]string{"a.b": {"v"}} }), true},
		{"audiences are the aud claim", AccessRule{When: []Condition{{Key: "request.auth.audiences", Values: []string{"web"}}}},
			with(get(), func(r *Request) { r.Claims = map[string][]string{"aud": {"web"}} }), true},
		{"source.namespace as a condition", AccessRule{When: []Condition{{Key: "source.namespace", Values: []string{"foo"}}}}, get(), true},
		{"destination.port as a condition", AccessRule{When: []Condition{{Key: "destination.port", NotValues: []string{"8000"}}}}, get(), false},
		{"connection.sni", AccessRule{When: []Condition{{Key: "connection.sni", Values: []string{"*.example"}}}},
			with(get(), func(r *Request) { r.SNI = "a.example" }), true},
		{"an envoy filter list value", AccessRule{When: []Condition{{Key: "experimental.envoy.filters.network.mysql_proxy[db.table]", Values: []string{"[update]"}}}},
			with(get(), func(r *Request) {
				r.Metadata = map[string][]string{"experimental.envoy.filters.network.mysql_proxy[db.table]": {"select", "update"}}
			}), true},
		{"an unknown key never matches", AccessRule{When: []Condition{{Key: "request.colour", Values: []string{"*"}}}}, get(), false},
		{"conditions are ANDed", AccessRule{When: []Condition{{Key: "source.namespace", Values: []string{"foo"}}, {Key: "source.ip", Values: []string{"1.1.1.1"}}}}, get(), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := snapOf(pol("foo", "p", Allow, nil, c.rule))
			if d := Evaluate(s, c.req); d.Allow != c.want {
				t.Errorf("got %s, want allow=%v", d, c.want)
			}
		})
	}
}

func TestEvaluateTCP(t *testing.T) {
	tcp := Request{Namespace: "foo", Labels: map[string]string{"app": "tcp-echo"}, Port: 9000, TCP: true, Principal: Peer(td, "foo", "sleep")}
	echo := map[string]string{"app": "tcp-echo"}
	cases := []struct {
		name string
		p    AccessPolicy
		port int32
		want bool
	}{
		{"an ALLOW rule on ports allows TCP", pol("foo", "p", Allow, echo, AccessRule{To: []Operation{{Ports: []string{"9000", "9001"}}}}), 9000, true},
		{"an ALLOW rule with a method never matches TCP", pol("foo", "p", Allow, echo, AccessRule{To: []Operation{{Methods: []string{"GET"}, Ports: []string{"9000"}}}}), 9000, false},
		{"an ALLOW rule with a header condition never matches TCP", pol("foo", "p", Allow, echo, AccessRule{When: []Condition{{Key: "request.headers[a]", Values: []string{"b"}}}}), 9000, false},
		{"a DENY rule with only a method denies every TCP connection", pol("foo", "p", Deny, echo, AccessRule{To: []Operation{{Methods: []string{"GET"}}}}), 9001, false},
		{"a DENY rule with a method and a port denies that port", pol("foo", "p", Deny, echo, AccessRule{To: []Operation{{Methods: []string{"GET"}, Ports: []string{"9000"}}}}), 9001, true},
		{"a DENY rule with a JWT source denies on TCP", pol("foo", "p", Deny, echo, AccessRule{From: []Source{{RequestPrincipals: []string{"*"}}}}), 9000, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tcp
			r.Port = c.port
			if d := Evaluate(snapOf(c.p), r); d.Allow != c.want {
				t.Errorf("got %s, want allow=%v", d, c.want)
			}
		})
	}
}

func TestEvaluateTargetRefs(t *testing.T) {
	p := AccessPolicy{Namespace: "foo", Name: "gw", Action: Allow, Target: Target{Namespace: "foo",
		Refs: []ObjectRef{{APIVersion: "gateway.networking.k8s.io", Kind: "Gateway", Name: "web"}}}}
	svc := AccessPolicy{Namespace: "foo", Name: "svc", Action: Allow, Target: Target{Namespace: "foo",
		Refs: []ObjectRef{{Kind: "Service", Name: "httpbin"}}}}
	cases := []struct {
		name string
		p    AccessPolicy
		req  Request
		want bool
	}{
		{"a Gateway ref applies to the gateway's pods", p, Request{Namespace: "foo", Labels: map[string]string{GatewayNameLabel: "web"}}, false},
		{"a Gateway ref does not apply to sidecars", p, get(), true},
		{"a Service ref applies to the waypoint serving it", svc, Request{Namespace: "foo", Attached: []ObjectRef{{Kind: "Service", Namespace: "foo", Name: "httpbin"}}}, false},
		{"a Service ref does not apply to the Service's pods", svc, get(), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if d := Evaluate(snapOf(c.p), c.req); d.Allow != c.want {
				t.Errorf("got %s, want allow=%v", d, c.want)
			}
		})
	}
}

func TestRequestClasses(t *testing.T) {
	s := snapOf(
		pol("foo", "a", Allow, httpbin, AccessRule{
			From: []Source{{Principals: []string{Peer(td, "bar", "client")}, IPBlocks: []string{"10.1.0.0/16"}}},
			To:   []Operation{{Methods: []string{"PUT"}, Paths: []string{"/api/*"}, Ports: []string{"8080"}}},
			When: []Condition{{Key: "request.headers[x-v]", Values: []string{"1"}}},
		}),
	)
	s.Inventory.Workloads = []Workload{{Namespace: "foo", Name: "httpbin", Labels: httpbin, ServiceAccount: "httpbin", Ports: []ContainerPort{{Port: 8000}}}}
	classes := RequestClasses(s)
	if !reflect.DeepEqual(classes, RequestClasses(s)) {
		t.Fatal("RequestClasses is not deterministic")
	}
	// The request the rule allows must be among the classes, and so must its near misses.
	allowed, denied := 0, 0
	for _, r := range classes {
		if Evaluate(s, r).Allow {
			allowed++
		} else if r.Namespace == "foo" {
			denied++
		}
	}
	if allowed == 0 || denied == 0 {
		t.Errorf("classes hold %d allowed and %d denied requests to foo, want both", allowed, denied)
	}
}

func TestEvaluatePeerAuthentication(t *testing.T) {
	s := snapOf()
	s.PeerAuthentications = []PeerAuthentication{
		{Namespace: "istio-system", Name: "mesh", MeshWide: true, Mode: MTLSStrict},
		{Namespace: "foo", Name: "ns", Mode: MTLSUnset},
		{Namespace: "foo", Name: "httpbin", Selector: httpbin, Mode: MTLSPermissive, PortModes: map[int32]MTLSMode{9000: MTLSDisable, 9001: MTLSUnset}},
	}
	cases := []struct {
		name      string
		namespace string
		labels    map[string]string
		port      int32
		want      MTLSMode
	}{
		{"a workload policy wins", "foo", httpbin, 8000, MTLSPermissive},
		{"a port-level mode wins over it", "foo", httpbin, 9000, MTLSDisable},
		{"an unset port-level mode defers to the workload's", "foo", httpbin, 9001, MTLSPermissive},
		{"an unset namespace mode defers to the mesh", "foo", nil, 8000, MTLSStrict},
		{"another namespace follows the mesh", "bar", nil, 8000, MTLSStrict},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := s.MTLSModeFor(c.namespace, c.labels, c.port); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
	t.Run("without any PeerAuthentication Istio is permissive", func(t *testing.T) {
		if got := snapOf().MTLSModeFor("foo", nil, 80); got != MTLSPermissive {
			t.Errorf("got %s", got)
		}
	})
	opts := EvalOptions{PeerAuthentication: true}
	t.Run("a STRICT port refuses a plain-text caller", func(t *testing.T) {
		r := Request{Namespace: "bar", Port: 80}
		if d := EvaluateWith(s, r, opts); d.Allow || d.Reason != ReasonMTLSRequired {
			t.Errorf("got %s", d)
		}
		if d := Evaluate(s, r); !d.Allow {
			t.Errorf("without the option: %s", d)
		}
	})
	t.Run("on a DISABLE port nobody has an mTLS identity", func(t *testing.T) {
		p := pol("foo", "p", Allow, nil, AccessRule{From: []Source{{Principals: []string{"*"}}}})
		s2 := *s
		s2.Access = []AccessPolicy{p}
		r := with(get(), func(r *Request) { r.Port = 9000 })
		if d := EvaluateWith(&s2, r, opts); d.Allow {
			t.Errorf("got %s", d)
		}
	})
}
