package model

import "time"

// RouteSet is one VirtualService: the hosts it applies to and its ordered rules. Istio uses the
// first rule that matches, in order; writers must keep that meaning or report that they cannot.
type RouteSet struct {
	Origin    Origin `json:"origin"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Hosts are the hosts as written; Services are those that resolved to a Service in the
	// inventory (short names are resolved in the VirtualService's namespace).
	Hosts    []string     `json:"hosts"`
	Services []ServiceRef `json:"services,omitempty"`
	// Mesh is true when the rules apply to sidecars (no gateways, or "mesh" among them).
	Mesh bool `json:"mesh"`
	// Gateways are the Istio Gateways the rules are bound to, as namespace/name.
	Gateways []ObjectRef `json:"gateways,omitempty"`
	ExportTo []string    `json:"exportTo,omitempty"`
	HTTP     []HTTPRule  `json:"http,omitempty"`
	TCP      []L4Rule    `json:"tcp,omitempty"`
	TLS      []L4Rule    `json:"tls,omitempty"`
}

// ServiceRef names a Service and, optionally, one of its ports.
type ServiceRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Port      int32  `json:"port,omitempty"`
}

// MatchType is how a string is matched.
type MatchType string

// Match types, as Istio's StringMatch has them. Regex is RE2, matched against the whole value.
const (
	MatchExact  MatchType = "Exact"
	MatchPrefix MatchType = "Prefix"
	MatchRegex  MatchType = "Regex"
)

// StringMatch matches one string value.
type StringMatch struct {
	Type  MatchType `json:"type"`
	Value string    `json:"value"`
}

// KeyMatch matches a named value (a header or query parameter).
type KeyMatch struct {
	Name  string      `json:"name"`
	Match StringMatch `json:"match"`
	// Present matches any value (Istio's empty StringMatch on a header); Match is then unset.
	Present bool `json:"present,omitempty"`
}

// HTTPMatch is one match block; its fields are ANDed. Rules match when any block matches.
type HTTPMatch struct {
	Field         string       `json:"field"`
	Name          string       `json:"name,omitempty"`
	Path          *StringMatch `json:"path,omitempty"`
	IgnoreURICase bool         `json:"ignoreUriCase,omitempty"`
	Method        *StringMatch `json:"method,omitempty"`
	Scheme        *StringMatch `json:"scheme,omitempty"`
	Authority     *StringMatch `json:"authority,omitempty"`
	Headers       []KeyMatch   `json:"headers,omitempty"`
	// WithoutHeaders must all fail to match.
	WithoutHeaders  []KeyMatch        `json:"withoutHeaders,omitempty"`
	QueryParams     []KeyMatch        `json:"queryParams,omitempty"`
	Port            int32             `json:"port,omitempty"`
	SourceLabels    map[string]string `json:"sourceLabels,omitempty"`
	SourceNamespace string            `json:"sourceNamespace,omitempty"`
	Gateways        []string          `json:"gateways,omitempty"`
}

// Backend is one weighted destination. Weight is Istio's (percent; 0 is valid only with one
// backend, meaning all traffic).
type Backend struct {
	Field   string     `json:"field"`
	Service ServiceRef `json:"service"`
	// Host is the destination host as written, kept when it did not resolve to a Service.
	Host   string `json:"host"`
	Subset string `json:"subset,omitempty"`
	// SubsetLabels are the DestinationRule subset's labels, when the subset resolved.
	SubsetLabels map[string]string `json:"subsetLabels,omitempty"`
	Weight       int32             `json:"weight"`
	Headers      *HeaderEdits      `json:"headers,omitempty"`
}

// HeaderEdits change request or response headers.
type HeaderEdits struct {
	Request  *HeaderOps `json:"request,omitempty"`
	Response *HeaderOps `json:"response,omitempty"`
}

// HeaderOps sets, adds and removes headers. Set and Add are sorted by name.
type HeaderOps struct {
	Set    []KeyValue `json:"set,omitempty"`
	Add    []KeyValue `json:"add,omitempty"`
	Remove []string   `json:"remove,omitempty"`
}

// KeyValue is one header.
type KeyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Redirect answers with a redirect instead of forwarding.
type Redirect struct {
	Field     string `json:"field"`
	Scheme    string `json:"scheme,omitempty"`
	Authority string `json:"authority,omitempty"`
	Path      string `json:"path,omitempty"`
	Port      int32  `json:"port,omitempty"`
	// DerivePort is Istio's derivePort (FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT).
	DerivePort string `json:"derivePort,omitempty"`
	StatusCode int    `json:"statusCode,omitempty"`
}

// Rewrite changes the request before forwarding. Prefix rewrites replace what the rule's path
// prefix matched; Istio applies it to whichever match fired.
type Rewrite struct {
	Field     string `json:"field"`
	Path      string `json:"path,omitempty"`
	Authority string `json:"authority,omitempty"`
	// RegexPattern/RegexSubstitution hold uriRegexRewrite.
	RegexPattern      string `json:"regexPattern,omitempty"`
	RegexSubstitution string `json:"regexSubstitution,omitempty"`
}

// Mirror copies a share of requests to another backend.
type Mirror struct {
	Field   string   `json:"field"`
	Backend Backend  `json:"backend"`
	Percent *float64 `json:"percent,omitempty"`
}

// Retry is Istio's retry policy.
type Retry struct {
	Field         string        `json:"field"`
	Attempts      int32         `json:"attempts"`
	PerTryTimeout time.Duration `json:"perTryTimeout,omitempty"`
	RetryOn       []string      `json:"retryOn,omitempty"`
	Backoff       time.Duration `json:"backoff,omitempty"`
}

// CORS is a CORS policy.
type CORS struct {
	Field            string        `json:"field"`
	AllowOrigins     []StringMatch `json:"allowOrigins,omitempty"`
	AllowMethods     []string      `json:"allowMethods,omitempty"`
	AllowHeaders     []string      `json:"allowHeaders,omitempty"`
	ExposeHeaders    []string      `json:"exposeHeaders,omitempty"`
	MaxAge           time.Duration `json:"maxAge,omitempty"`
	AllowCredentials *bool         `json:"allowCredentials,omitempty"`
}

// HTTPRule is one entry of a VirtualService's http list.
type HTTPRule struct {
	Field   string      `json:"field"`
	Name    string      `json:"name,omitempty"`
	Matches []HTTPMatch `json:"matches,omitempty"`
	// Exactly one of Backends, Redirect (or an unsupported action the reader reported) is set.
	Backends []Backend    `json:"backends,omitempty"`
	Redirect *Redirect    `json:"redirect,omitempty"`
	Rewrite  *Rewrite     `json:"rewrite,omitempty"`
	Headers  *HeaderEdits `json:"headers,omitempty"`
	Mirrors  []Mirror     `json:"mirrors,omitempty"`
	// Timeout is 0 when unset.
	Timeout time.Duration `json:"timeout,omitempty"`
	Retry   *Retry        `json:"retry,omitempty"`
	CORS    *CORS         `json:"cors,omitempty"`

	// TimeoutSet tells an explicit timeout of 0s (Istio: no timeout at all) from an unset one.
	TimeoutSet bool `json:"timeoutSet,omitempty"`

	// The fields below have no equivalent in any target yet; they are kept so that writers can
	// tell a rule they cannot write faithfully from one that needs nothing more.
	Fault          *Fault          `json:"fault,omitempty"`
	DirectResponse *DirectResponse `json:"directResponse,omitempty"`
	Delegate       *ObjectRef      `json:"delegate,omitempty"`
	// Other lists fields of the rule the reader kept no model for (each already reported by the
	// reader); a writer must treat the rule as approximated.
	Other []string `json:"other,omitempty"`
}

// Fault is Istio's fault injection: delays and aborts for a share of requests.
type Fault struct {
	Field        string        `json:"field"`
	Delay        time.Duration `json:"delay,omitempty"`
	DelayPercent *float64      `json:"delayPercent,omitempty"`
	AbortStatus  int           `json:"abortStatus,omitempty"`
	AbortPercent *float64      `json:"abortPercent,omitempty"`
}

// DirectResponse answers the request from the proxy with a fixed status and body.
type DirectResponse struct {
	Field  string `json:"field"`
	Status int    `json:"status"`
	Body   string `json:"body,omitempty"`
}

// L4Rule is a TCP or TLS route: matches on port (and SNI for TLS), then weighted backends.
type L4Rule struct {
	Field    string    `json:"field"`
	Matches  []L4Match `json:"matches,omitempty"`
	Backends []Backend `json:"backends"`
}

// L4Match is one TCP/TLS match block.
type L4Match struct {
	Field              string            `json:"field"`
	Port               int32             `json:"port,omitempty"`
	SNIHosts           []string          `json:"sniHosts,omitempty"`
	DestinationSubnets []string          `json:"destinationSubnets,omitempty"`
	SourceLabels       map[string]string `json:"sourceLabels,omitempty"`
	SourceNamespace    string            `json:"sourceNamespace,omitempty"`
	Gateways           []string          `json:"gateways,omitempty"`
}

// Snapshot is everything a reader produced: the inventory and the policies. Every list is
// sorted by namespace and name, so writers that walk it in order are deterministic.
type Snapshot struct {
	Inventory           Inventory            `json:"inventory"`
	Routes              []RouteSet           `json:"routes,omitempty"`
	Access              []AccessPolicy       `json:"access,omitempty"`
	PeerAuthentications []PeerAuthentication `json:"peerAuthentications,omitempty"`
	Gateways            []Gateway            `json:"gateways,omitempty"`
	// RootNamespace is where mesh-wide policies live (Istio's default: istio-system).
	RootNamespace string `json:"rootNamespace"`
	// ClusterDomain completes short Service names (default cluster.local).
	ClusterDomain string `json:"clusterDomain"`
	// TrustDomain is the identity trust domain (default cluster.local).
	TrustDomain string `json:"trustDomain"`
}
