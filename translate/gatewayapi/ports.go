package gatewayapi

import (
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// portClass is the protocol a Service port carries, as Istio decides it: appProtocol first,
// then the port name's prefix (http-web, grpc, tcp-db, ...); unknown ports are sniffed by Istio.
type portClass int

const (
	classUnknown portClass = iota
	classHTTP
	classGRPC
	classTCP
	classTLS
	classOther // UDP, SCTP: no route applies
)

func classify(p model.ServicePort) portClass {
	if p.Protocol == "UDP" || p.Protocol == "SCTP" {
		return classOther
	}
	proto := strings.ToLower(p.AppProtocol)
	if proto == "" {
		proto, _, _ = strings.Cut(strings.ToLower(p.Name), "-")
	}
	switch proto {
	case "http", "http2", "grpc-web", "kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss":
		return classHTTP
	case "grpc":
		return classGRPC
	case "tcp", "mongo", "mysql", "redis":
		return classTCP
	case "https", "tls":
		return classTLS
	}
	return classUnknown
}

// portsOf returns the ports of svc whose class is in classes, in the Service's order.
func portsOf(svc model.Service, classes ...portClass) []model.ServicePort {
	var out []model.ServicePort
	for _, p := range svc.Ports {
		c := classify(p)
		for _, want := range classes {
			if c == want {
				out = append(out, p)
				break
			}
		}
	}
	return out
}
