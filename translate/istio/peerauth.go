package istio

import (
	"fmt"
	"maps"
	"slices"

	securityv1beta1 "istio.io/api/security/v1beta1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"

	"github.com/meshbridge/meshbridge/model"
)

// readPeerAuthentications reads PeerAuthentications into snap.PeerAuthentications: mesh-wide
// (root namespace, no selector), namespace-wide (no selector) and workload-level, with
// port-level modes. One Istio would reject is read as STRICT for its scope, the fail-closed
// choice: it refuses plain-text callers rather than admitting them.
func (r *reader) readPeerAuthentications() {
	first := len(r.snap.PeerAuthentications)
	for _, obj := range r.inv.PeerAuthentications {
		r.snap.PeerAuthentications = append(r.snap.PeerAuthentications, r.readPeerAuthentication(obj))
	}
	// Istio keeps the oldest of several mesh- or namespace-wide policies; the input does not
	// say which that is.
	scopes := map[string][]model.PeerAuthentication{}
	for _, pa := range r.snap.PeerAuthentications[first:] {
		if len(pa.Selector) == 0 {
			scope := "namespace " + pa.Namespace
			if pa.MeshWide {
				scope = "the mesh"
			}
			scopes[scope] = append(scopes[scope], pa)
		}
	}
	for _, scope := range sortedKeys(scopes) {
		if pas := scopes[scope]; len(pas) > 1 {
			for _, pa := range pas {
				r.report(model.CodePeerAuthConflict, pa.Origin, "spec",
					"%d PeerAuthentications apply to %s; Istio uses the oldest", len(pas), scope)
			}
		}
	}
}

func (r *reader) peerAuthOrigin(obj *securityv1.PeerAuthentication) model.Origin {
	apiVersion := obj.APIVersion
	if apiVersion == "" {
		apiVersion = "security.istio.io/v1"
	}
	return r.inv.Origin(apiVersion, "PeerAuthentication", obj)
}

func (r *reader) readPeerAuthentication(obj *securityv1.PeerAuthentication) model.PeerAuthentication {
	origin := r.peerAuthOrigin(obj)
	spec := &obj.Spec
	c := &authzCheck{}
	pa := model.PeerAuthentication{
		Origin: origin, Namespace: obj.Namespace, Name: obj.Name,
		Mode: mtlsMode(spec.Mtls),
	}
	if spec.Selector != nil {
		pa.Selector = r.selector(origin, "spec.selector", spec.Selector, c)
		if len(c.errs) > 0 { // an invalid selector: STRICT for the whole namespace.
			pa.Selector = nil
		}
	}
	pa.MeshWide = obj.Namespace == r.opts.RootNamespace && len(pa.Selector) == 0
	if len(pa.Selector) == 0 && len(spec.PortLevelMtls) > 0 {
		c.fail("spec.portLevelMtls", "mesh and namespace PeerAuthentications cannot have port-level mTLS")
	}
	if spec.PortLevelMtls != nil && len(spec.PortLevelMtls) == 0 {
		c.fail("spec.portLevelMtls", "port-level mTLS, if set, must have at least one port")
	}
	for _, port := range slices.Sorted(maps.Keys(spec.PortLevelMtls)) {
		if port == 0 || port > 65535 {
			c.fail(fmt.Sprintf("spec.portLevelMtls[%d]", port), "port must be in range 1..65535")
			continue
		}
		if pa.PortModes == nil {
			pa.PortModes = map[int32]model.MTLSMode{}
		}
		pa.PortModes[int32(port)] = mtlsMode(spec.PortLevelMtls[port])
	}
	if len(c.errs) > 0 {
		for _, e := range c.errs {
			r.report(model.CodePeerAuthRefused, origin, e.field, "%s; read as STRICT", e.msg)
		}
		pa.Mode, pa.PortModes = model.MTLSStrict, nil
	}
	return pa
}

func mtlsMode(m *securityv1beta1.PeerAuthentication_MutualTLS) model.MTLSMode {
	switch m.GetMode() {
	case securityv1beta1.PeerAuthentication_MutualTLS_STRICT:
		return model.MTLSStrict
	case securityv1beta1.PeerAuthentication_MutualTLS_PERMISSIVE:
		return model.MTLSPermissive
	case securityv1beta1.PeerAuthentication_MutualTLS_DISABLE:
		return model.MTLSDisable
	}
	return model.MTLSUnset
}
