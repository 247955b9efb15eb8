package model

// Action is what an access policy does when one of its rules matches.
type Action string

// Actions, as Istio defines them. Istio evaluates CUSTOM, then DENY, then ALLOW; AUDIT never
// changes a decision.
const (
	Allow  Action = "ALLOW"
	Deny   Action = "DENY"
	Audit  Action = "AUDIT"
	Custom Action = "CUSTOM"
)

// AccessPolicy is one authorization policy: the workloads it applies to and the rules that make
// it match. Values keep Istio's matching syntax (exact, "prefix*", "*suffix", "*" for presence),
// because every writer must be held to exactly those semantics.
type AccessPolicy struct {
	Origin    Origin `json:"origin"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Action    Action `json:"action"`
	// Provider is the CUSTOM action's external authorizer.
	Provider string `json:"provider,omitempty"`
	Target   Target `json:"target"`
	// Rules match when any one matches. For ALLOW, no rules means the policy matches nothing
	// (allow-nothing); a rule with no from, to or when matches everything.
	Rules []AccessRule `json:"rules,omitempty"`
	// DryRun policies (istio.io/dry-run) are evaluated and logged, never enforced.
	DryRun bool `json:"dryRun,omitempty"`
}

// Target says which workloads a policy applies to.
type Target struct {
	// Namespace is the policy's namespace. A policy in the root namespace applies mesh-wide.
	Namespace string `json:"namespace"`
	MeshWide  bool   `json:"meshWide,omitempty"`
	// Selector holds matchLabels; nil selects every workload in scope.
	Selector map[string]string `json:"selector,omitempty"`
	// Refs are targetRefs (Gateway, GatewayClass, Service, ServiceEntry); they replace Selector.
	Refs []ObjectRef `json:"refs,omitempty"`
	// Field is the field path of the selector or targetRefs.
	Field string `json:"field,omitempty"`
}

// AccessRule matches a request when at least one From, at least one To and every When match.
// An empty list places no constraint.
type AccessRule struct {
	Field string      `json:"field"`
	From  []Source    `json:"from,omitempty"`
	To    []Operation `json:"to,omitempty"`
	When  []Condition `json:"when,omitempty"`
}

// Source constrains the caller. All non-empty fields must match (AND); within a field any value
// may match (OR); a Not field matches when none of its values do.
type Source struct {
	Field                string   `json:"field"`
	Principals           []string `json:"principals,omitempty"`
	NotPrincipals        []string `json:"notPrincipals,omitempty"`
	RequestPrincipals    []string `json:"requestPrincipals,omitempty"`
	NotRequestPrincipals []string `json:"notRequestPrincipals,omitempty"`
	Namespaces           []string `json:"namespaces,omitempty"`
	NotNamespaces        []string `json:"notNamespaces,omitempty"`
	ServiceAccounts      []string `json:"serviceAccounts,omitempty"`
	NotServiceAccounts   []string `json:"notServiceAccounts,omitempty"`
	IPBlocks             []string `json:"ipBlocks,omitempty"`
	NotIPBlocks          []string `json:"notIpBlocks,omitempty"`
	RemoteIPBlocks       []string `json:"remoteIpBlocks,omitempty"`
	NotRemoteIPBlocks    []string `json:"notRemoteIpBlocks,omitempty"`
	TrustDomains         []string `json:"trustDomains,omitempty"`
	NotTrustDomains      []string `json:"notTrustDomains,omitempty"`
	// AnyIncludingUnauthenticated marks a v1alpha1 subject `user: "*"`: it matches every caller,
	// mTLS or not, unlike principals ["*"].
	AnyIncludingUnauthenticated bool `json:"anyIncludingUnauthenticated,omitempty"`
}

// Operation constrains the request. Fields combine as in Source. Ports are workload (container)
// ports, as in Istio.
type Operation struct {
	Field      string   `json:"field"`
	Hosts      []string `json:"hosts,omitempty"`
	NotHosts   []string `json:"notHosts,omitempty"`
	Ports      []string `json:"ports,omitempty"`
	NotPorts   []string `json:"notPorts,omitempty"`
	Methods    []string `json:"methods,omitempty"`
	NotMethods []string `json:"notMethods,omitempty"`
	Paths      []string `json:"paths,omitempty"`
	NotPaths   []string `json:"notPaths,omitempty"`
}

// Condition is one `when` entry: Key must match one of Values (if any) and none of NotValues.
type Condition struct {
	Field     string   `json:"field"`
	Key       string   `json:"key"`
	Values    []string `json:"values,omitempty"`
	NotValues []string `json:"notValues,omitempty"`
}

// MTLSMode is a PeerAuthentication mode.
type MTLSMode string

// mTLS modes. Unset inherits from the enclosing scope.
const (
	MTLSUnset      MTLSMode = "UNSET"
	MTLSStrict     MTLSMode = "STRICT"
	MTLSPermissive MTLSMode = "PERMISSIVE"
	MTLSDisable    MTLSMode = "DISABLE"
)

// PeerAuthentication says whether workloads accept plain-text callers.
type PeerAuthentication struct {
	Origin    Origin            `json:"origin"`
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	MeshWide  bool              `json:"meshWide,omitempty"`
	Selector  map[string]string `json:"selector,omitempty"`
	Mode      MTLSMode          `json:"mode"`
	// PortModes overrides Mode per workload port.
	PortModes map[int32]MTLSMode `json:"portModes,omitempty"`
}
