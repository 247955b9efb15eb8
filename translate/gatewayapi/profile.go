package gatewayapi

import (
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// profile is what one destination reads: the channel's fields, and each mesh's documented
// support (reference: the Gateway API v1.6.3 mesh conformance reports, and Linkerd 2.20's
// Gateway API 1.2.1 field set).
type profile struct {
	mesh         string // "" for the generic profile
	experimental bool

	// gatewayClass is the GatewayClass that Gateways are written for; "" means Gateways are
	// not written (the mesh has no Gateway implementation of its own).
	gatewayClass string
	// consumerRoutes: routes in another namespace than their Service (MeshConsumerRoute).
	consumerRoutes bool
	// grpcRoute: GRPCRoute with a Service parent (MESH-GRPC); otherwise gRPC goes as HTTPRoute.
	grpcRoute bool
	// l4 is whether TCPRoute and TLSRoute v1 are read at all; l4Conformant whether a mesh
	// conformance profile covers them for Service parents (no profile does yet).
	l4, l4Conformant bool
	// Filters and fields beyond Gateway API 1.2.1 or not implemented by the mesh.
	mirror, urlRewrite, cors, redirectPath, ruleNames bool
	// redirectCodes are the status codes RequestRedirect may carry.
	redirectCodes []int
	// retryField: HTTPRouteRule.retry (experimental channel, read by the mesh).
	retryField bool
	// linkerdAnnotations: retries and timeouts as retry.linkerd.io / timeout.linkerd.io
	// annotations on the route, in whole milliseconds.
	linkerdAnnotations bool
	// regexRankKnown: the implementation ranks RegularExpression paths below every PathPrefix,
	// longest first, as Istio does (pilot's sortHTTPRoutes). Elsewhere a verdict that depends on
	// it is reported.
	regexRankKnown bool
	// exactTiesPrefix: the implementation ranks a path match by the length it matched, so an
	// Exact match ties with a PathPrefix of the same path and rule order decides (Linkerd's
	// proxy compares matched lengths only). An Exact match that must win such a tie is written
	// in a rule of its own ahead of the PathPrefix's rule.
	exactTiesPrefix bool
}

// Mesh names the Gateway API writer knows.
const (
	MeshIstio   = "istio"
	MeshLinkerd = "linkerd"
	MeshCilium  = "cilium"
	MeshKuma    = "kuma"
)

var allRedirectCodes = []int{301, 302, 303, 307, 308}

// newProfile resolves opts into a profile, reporting what it does not know.
func newProfile(opts emit.Options, w *writer) profile {
	p := profile{
		mesh: opts.Mesh, gatewayClass: "istio", consumerRoutes: true, grpcRoute: true, l4: true,
		mirror: true, urlRewrite: true, cors: true, redirectPath: true, ruleNames: true,
		redirectCodes: allRedirectCodes,
	}
	switch opts.Channel {
	case "", "standard":
	case "experimental":
		p.experimental = true
	default:
		w.global(model.CodeGWUnknownProfile, "channel %q is not standard or experimental; the standard channel is used", opts.Channel)
	}
	p.retryField = p.experimental
	switch opts.Mesh {
	case "":
		// Generic: everything the channel has. Gateways get the istio class: the input came
		// from Istio, so its GatewayClass is the likeliest to exist.
	case MeshIstio:
		p.l4Conformant, p.regexRankKnown = true, true
	case MeshLinkerd:
		// Linkerd 2.20 ignores any route holding fields or values beyond Gateway API 1.2.1,
		// rejects RequestMirror and URLRewrite, has no path redirects, reads retries only from
		// annotations, watches TLSRoute v1alpha2 only, and implements no Gateway.
		p.gatewayClass, p.l4 = "", false
		p.mirror, p.urlRewrite, p.cors, p.redirectPath, p.ruleNames = false, false, false, false, false
		p.redirectCodes = []int{301, 302}
		p.retryField, p.linkerdAnnotations = false, true
		p.exactTiesPrefix = true
	case MeshCilium:
		p.gatewayClass, p.consumerRoutes = "cilium", false
	case MeshKuma:
		p.gatewayClass, p.grpcRoute = "kuma", false
	default:
		w.global(model.CodeGWUnknownProfile, "mesh %q is not one the Gateway API writer knows (istio, linkerd, cilium, kuma); the generic profile is used", opts.Mesh)
		p.mesh = ""
	}
	return p
}

func (p profile) redirectCodeOK(code int) bool {
	for _, c := range p.redirectCodes {
		if c == code {
			return true
		}
	}
	return false
}
