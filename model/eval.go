package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Request is one request (or TCP connection) as a sidecar sees it, with everything Istio's
// authorization can match on. Empty fields are absent attributes: no Principal means the caller
// did not use mTLS, no RequestPrincipal means no valid JWT.
type Request struct {
	// Destination: the workload (its namespace and pod labels) and the port the connection
	// reached, which is the workload's container port, not the Service port.
	Namespace     string            `json:"namespace"`
	Labels        map[string]string `json:"labels,omitempty"`
	Port          int32             `json:"port"`
	DestinationIP string            `json:"destinationIP,omitempty"`
	SNI           string            `json:"sni,omitempty"`
	// Attached lists what the proxy implements for targetRefs policies besides its labels: a
	// Service or ServiceEntry for a waypoint, a GatewayClass for a gateway. Gateways are
	// recognised from the gateway.networking.k8s.io/gateway-name label.
	Attached []ObjectRef `json:"attached,omitempty"`

	// TCP is true when the port carries plain TCP: HTTP attributes (methods, paths, hosts,
	// headers, JWT) cannot be evaluated and Istio's TCP rules apply.
	TCP bool `json:"tcp,omitempty"`

	// Source. Principal is the peer's mTLS identity, <trust domain>/ns/<namespace>/sa/<account>;
	// use Peer to build one. RemoteIP is the original client IP (X-Forwarded-For or PROXY
	// protocol); it defaults to SourceIP.
	Principal string `json:"principal,omitempty"`
	SourceIP  string `json:"sourceIP,omitempty"`
	RemoteIP  string `json:"remoteIP,omitempty"`

	// JWT. RequestPrincipal is <iss>/<sub>. Claims hold the token's claims, list claims with
	// several values; nested claims are keyed by their names joined with "." (a.b for
	// request.auth.claims[a][b]). iss and sub default to RequestPrincipal split at its last "/".
	RequestPrincipal string              `json:"requestPrincipal,omitempty"`
	Claims           map[string][]string `json:"claims,omitempty"`

	// HTTP. Path may carry a query, which authorization ignores. Header names are matched
	// without regard to case.
	Method  string            `json:"method,omitempty"`
	Path    string            `json:"path,omitempty"`
	Host    string            `json:"host,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`

	// Metadata holds Envoy dynamic metadata for experimental.envoy.filters.* conditions, keyed by
	// the full condition key; several values make a list.
	Metadata map[string][]string `json:"metadata,omitempty"`

	// ProviderAllows is the verdict of each CUSTOM (ext-authz) provider; a provider that is not
	// listed denies.
	ProviderAllows map[string]bool `json:"providerAllows,omitempty"`
}

// Peer returns the SPIFFE-style principal of a service account: td/ns/namespace/sa/account.
func Peer(trustDomain, namespace, account string) string {
	return trustDomain + "/ns/" + namespace + "/sa/" + account
}

// Reason says which step of Istio's procedure decided.
type Reason string

// Reasons, in the order Istio evaluates.
const (
	// ReasonCustomDenied: a CUSTOM policy matched and its provider denied.
	ReasonCustomDenied Reason = "custom-denied"
	// ReasonDenied: a DENY policy matched.
	ReasonDenied Reason = "denied"
	// ReasonNoAllowPolicy: no ALLOW policy applies to the workload, so everything is allowed.
	ReasonNoAllowPolicy Reason = "no-allow-policy"
	// ReasonAllowed: an ALLOW policy matched.
	ReasonAllowed Reason = "allowed"
	// ReasonNotAllowed: ALLOW policies apply but none matched.
	ReasonNotAllowed Reason = "not-allowed"
	// ReasonMTLSRequired: the port's PeerAuthentication is STRICT and the caller has no mTLS
	// identity (only with EvalOptions.PeerAuthentication).
	ReasonMTLSRequired Reason = "mtls-required"
)

// PolicyRule names one rule of a policy.
type PolicyRule struct {
	Policy *AccessPolicy
	Rule   int
}

// String renders namespace/name#rule.
func (p PolicyRule) String() string {
	if p.Policy == nil {
		return "default"
	}
	return fmt.Sprintf("%s/%s#%d", p.Policy.Namespace, p.Policy.Name, p.Rule)
}

// Decision is Istio's verdict on a request and what decided it.
type Decision struct {
	Allow  bool
	Reason Reason
	// By is the enforced policy and rule that decided; By.Policy is nil when the default did
	// (ReasonNoAllowPolicy, ReasonNotAllowed).
	By PolicyRule
	// Provider is the CUSTOM provider Istio asked, if any CUSTOM policy matched.
	Provider string
	// Audited lists the AUDIT policies that matched; DryRun the dry-run policies that would
	// have matched. Neither changes the decision.
	Audited []PolicyRule
	DryRun  []PolicyRule
}

// String renders the verdict, e.g. "deny (denied by ns/name#0)".
func (d Decision) String() string {
	v := "deny"
	if d.Allow {
		v = "allow"
	}
	return fmt.Sprintf("%s (%s by %s)", v, d.Reason, d.By)
}

// EvalOptions change what the evaluator enforces.
type EvalOptions struct {
	// DryRunEnforced evaluates dry-run policies as if they were enforced, which is what the
	// logs of a dry-run policy report.
	DryRunEnforced bool
	// PeerAuthentication applies the snapshot's PeerAuthentications first: a STRICT port
	// refuses callers without mTLS, and on a DISABLE port no caller has an mTLS identity.
	PeerAuthentication bool
}

// Evaluate returns Istio's decision on req under the snapshot's access policies:
//
//  1. if a CUSTOM policy matches, its provider decides whether to deny;
//  2. if a DENY policy matches, deny;
//  3. if no ALLOW policy applies to the workload, allow;
//  4. if an ALLOW policy matches, allow;
//  5. otherwise deny.
//
// AUDIT policies never change the verdict, and dry-run policies (istio.io/dry-run) are not
// enforced. On TCP, an ALLOW rule that needs an HTTP attribute never matches, while DENY,
// AUDIT and CUSTOM rules ignore their HTTP attributes (so they match more), as Istio does.
func Evaluate(snap *Snapshot, req Request) Decision {
	return EvaluateWith(snap, req, EvalOptions{})
}

// EvaluateWith is Evaluate with options.
func EvaluateWith(snap *Snapshot, req Request, opts EvalOptions) Decision {
	if opts.PeerAuthentication {
		switch snap.MTLSModeFor(req.Namespace, req.Labels, req.Port) {
		case MTLSStrict:
			if req.Principal == "" {
				return Decision{Reason: ReasonMTLSRequired, By: PolicyRule{Rule: -1}}
			}
		case MTLSDisable:
			req.Principal = ""
		}
	}
	x := newEvalRequest(req)
	var custom, deny, allow, audit []*AccessPolicy
	var d Decision
	for i := range snap.Access {
		p := &snap.Access[i]
		if !p.Target.Applies(req.Namespace, req.Labels, req.Attached) {
			continue
		}
		if p.DryRun && !opts.DryRunEnforced {
			if r, ok := x.policyMatch(p); ok {
				d.DryRun = append(d.DryRun, PolicyRule{p, r})
			}
			continue
		}
		switch p.Action {
		case Custom:
			custom = append(custom, p)
		case Deny:
			deny = append(deny, p)
		case Audit:
			audit = append(audit, p)
		default:
			allow = append(allow, p)
		}
	}
	for _, p := range audit {
		if r, ok := x.policyMatch(p); ok {
			d.Audited = append(d.Audited, PolicyRule{p, r})
		}
	}
	for _, p := range custom {
		if r, ok := x.policyMatch(p); ok {
			d.Provider = p.Provider
			if !req.ProviderAllows[p.Provider] {
				d.Reason, d.By = ReasonCustomDenied, PolicyRule{p, r}
				return d
			}
			break
		}
	}
	for _, p := range deny {
		if r, ok := x.policyMatch(p); ok {
			d.Reason, d.By = ReasonDenied, PolicyRule{p, r}
			return d
		}
	}
	if len(allow) == 0 {
		d.Allow, d.Reason, d.By = true, ReasonNoAllowPolicy, PolicyRule{Rule: -1}
		return d
	}
	for _, p := range allow {
		if r, ok := x.policyMatch(p); ok {
			d.Allow, d.Reason, d.By = true, ReasonAllowed, PolicyRule{p, r}
			return d
		}
	}
	d.Reason, d.By = ReasonNotAllowed, PolicyRule{Rule: -1}
	return d
}

// evalRequest is a Request with the derived attributes precomputed.
type evalRequest struct {
	Request
	port     string
	san      string // spiffe://principal, or "" without mTLS
	td       string
	iss, sub string
	jwt      bool
	headers  map[string]string
	path     string // without query
}

func newEvalRequest(r Request) *evalRequest {
	x := &evalRequest{Request: r, port: strconv.Itoa(int(r.Port)), headers: map[string]string{}}
	if r.Principal != "" {
		x.san = "spiffe://" + r.Principal
		x.td, _, _ = strings.Cut(r.Principal, "/")
	}
	if x.RemoteIP == "" {
		x.RemoteIP = r.SourceIP
	}
	if i := strings.LastIndex(r.RequestPrincipal, "/"); i >= 0 {
		x.iss, x.sub = r.RequestPrincipal[:i], r.RequestPrincipal[i+1:]
	} else {
		x.iss = r.RequestPrincipal
	}
	if v := r.Claims["iss"]; len(v) > 0 {
		x.iss = v[0]
	}
	if v := r.Claims["sub"]; len(v) > 0 {
		x.sub = v[0]
	}
	x.jwt = r.RequestPrincipal != "" || len(r.Claims) > 0
	for k, v := range r.Headers {
		x.headers[strings.ToLower(k)] = v
	}
	if r.Host != "" {
		x.headers[":authority"] = r.Host
	}
	if r.Method != "" {
		x.headers[":method"] = r.Method
	}
	if r.Path != "" {
		x.headers[":path"] = r.Path
	}
	x.path, _, _ = strings.Cut(r.Path, "?")
	x.path, _, _ = strings.Cut(x.path, "#")
	return x
}

// policyMatch returns the index of the first rule of p that matches.
func (x *evalRequest) policyMatch(p *AccessPolicy) (int, bool) {
	// On TCP, DENY, AUDIT and CUSTOM rules drop their HTTP attributes; ALLOW rules that need
	// one are dropped whole.
	lenient := p.Action != Allow && p.Action != ""
	for i, r := range p.Rules {
		if x.rule(p, r, lenient) {
			return i, true
		}
	}
	return -1, false
}

func (x *evalRequest) rule(p *AccessPolicy, r AccessRule, lenient bool) bool {
	if x.TCP && !lenient && r.UsesHTTP() {
		return false
	}
	if len(r.From) > 0 && !anyOf(r.From, func(s Source) bool { return x.source(p, s) }) {
		return false
	}
	if len(r.To) > 0 && !anyOf(r.To, x.operation) {
		return false
	}
	for _, c := range r.When {
		if !x.condition(p, c) {
			return false
		}
	}
	return true
}

func (x *evalRequest) source(p *AccessPolicy, s Source) bool {
	return x.field(s.Principals, s.NotPrincipals, false, x.principal) &&
		x.field(s.RequestPrincipals, s.NotRequestPrincipals, true, x.requestPrincipal) &&
		x.field(s.Namespaces, s.NotNamespaces, false, x.namespace) &&
		x.field(s.ServiceAccounts, s.NotServiceAccounts, false, func(v string) bool { return x.serviceAccount(p.Namespace, v) }) &&
		x.field(s.IPBlocks, s.NotIPBlocks, false, func(v string) bool { return matchIP(v, x.SourceIP) }) &&
		x.field(s.RemoteIPBlocks, s.NotRemoteIPBlocks, false, func(v string) bool { return matchIP(v, x.RemoteIP) }) &&
		x.field(s.TrustDomains, s.NotTrustDomains, false, x.trustDomain)
}

func (x *evalRequest) operation(o Operation) bool {
	return x.field(o.Hosts, o.NotHosts, true, func(v string) bool { return matchHost(v, x.Host) }) &&
		x.field(o.Ports, o.NotPorts, false, func(v string) bool { return v == x.port }) &&
		x.field(o.Methods, o.NotMethods, true, func(v string) bool { return matchString(v, x.Method) }) &&
		x.field(o.Paths, o.NotPaths, true, func(v string) bool { return matchPath(v, x.path) })
}

func (x *evalRequest) condition(p *AccessPolicy, c Condition) bool {
	m, httpOnly, ok := x.conditionMatcher(p, c.Key)
	if !ok {
		return false // unknown key: the reader refuses such policies; never match.
	}
	return x.field(c.Values, c.NotValues, httpOnly, m)
}

// field applies one attribute: some value must match and no not-value may. An HTTP-only
// attribute on TCP is ignored (only lenient rules get this far).
func (x *evalRequest) field(values, notValues []string, httpOnly bool, match func(string) bool) bool {
	if httpOnly && x.TCP {
		return true
	}
	if len(values) > 0 && !anyOf(values, match) {
		return false
	}
	return len(notValues) == 0 || !anyOf(notValues, match)
}

func anyOf[T any](list []T, f func(T) bool) bool {
	for _, v := range list {
		if f(v) {
			return true
		}
	}
	return false
}

// UsesHTTP reports whether the rule needs an attribute that only HTTP requests carry.
func (r AccessRule) UsesHTTP() bool {
	for _, s := range r.From {
		if len(s.RequestPrincipals)+len(s.NotRequestPrincipals) > 0 {
			return true
		}
	}
	for _, o := range r.To {
		if len(o.Hosts)+len(o.NotHosts)+len(o.Methods)+len(o.NotMethods)+len(o.Paths)+len(o.NotPaths) > 0 {
			return true
		}
	}
	for _, c := range r.When {
		if HTTPOnlyKey(c.Key) {
			return true
		}
	}
	return false
}

// HTTPOnlyKey reports whether a condition key names an HTTP-only attribute (request headers
// and JWT attributes).
func HTTPOnlyKey(key string) bool {
	return strings.HasPrefix(key, "request.")
}
