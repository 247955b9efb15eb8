package istio

import (
	"fmt"

	"github.com/meshbridge/meshbridge/model"
)

// readGateways reads Istio Gateways into snap.Gateways. TLS settings beyond the mode and the
// credential (file paths, SANs, cipher suites, protocol versions) are reported.
func (r *reader) readGateways() {
	for _, g := range r.inv.Gateways {
		origin := r.inv.Origin(g.APIVersion, "Gateway", g)
		gw := model.Gateway{Origin: origin, Namespace: g.Namespace, Name: g.Name, Selector: g.Spec.GetSelector()}
		for i, s := range g.Spec.GetServers() {
			field := fmt.Sprintf("spec.servers[%d]", i)
			srv := model.GatewayServer{
				Field: field, Name: s.GetName(), Port: int32(s.GetPort().GetNumber()), PortName: s.GetPort().GetName(),
				Protocol: s.GetPort().GetProtocol(), Hosts: s.GetHosts(),
			}
			r.rest(origin, field+".port", s.GetPort(), "number", "protocol", "name")
			if t := s.GetTls(); t != nil {
				srv.TLS = &model.GatewayTLS{CredentialName: t.GetCredentialName(), HTTPSRedirect: t.GetHttpsRedirect()}
				// The mode's zero value is PASSTHROUGH, which only means something on TLS ports;
				// an HTTP server with just httpsRedirect has no TLS mode.
				if p := srv.Protocol; t.GetMode() != 0 || p == "HTTPS" || p == "TLS" {
					srv.TLS.Mode = t.GetMode().String()
				}
				r.rest(origin, field+".tls", t, "mode", "credentialName", "httpsRedirect")
			}
			r.rest(origin, field, s, "port", "hosts", "tls", "name")
			gw.Servers = append(gw.Servers, srv)
		}
		r.rest(origin, "spec", &g.Spec, "servers", "selector")
		r.snap.Gateways = append(r.snap.Gateways, gw)
	}
}
