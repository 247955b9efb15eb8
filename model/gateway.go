package model

// Gateway is an Istio ingress/egress Gateway: a set of proxies (Selector) and the servers they
// listen with. VirtualServices bind to it through RouteSet.Gateways.
type Gateway struct {
	Origin    Origin            `json:"origin"`
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Selector  map[string]string `json:"selector,omitempty"`
	Servers   []GatewayServer   `json:"servers"`
}

// GatewayServer is one listening port with its hosts and TLS settings.
type GatewayServer struct {
	Field    string `json:"field"`
	Name     string `json:"name,omitempty"`
	Port     int32  `json:"port"`
	PortName string `json:"portName,omitempty"`
	// Protocol is HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP or TLS.
	Protocol string `json:"protocol"`
	// Hosts are as written: [namespace/]host, with "*" wildcards.
	Hosts []string    `json:"hosts"`
	TLS   *GatewayTLS `json:"tls,omitempty"`
}

// GatewayTLS is a server's TLS block.
type GatewayTLS struct {
	// Mode is SIMPLE, MUTUAL, PASSTHROUGH, AUTO_PASSTHROUGH, ISTIO_MUTUAL or OPTIONAL_MUTUAL.
	Mode           string `json:"mode,omitempty"`
	CredentialName string `json:"credentialName,omitempty"`
	HTTPSRedirect  bool   `json:"httpsRedirect,omitempty"`
}
