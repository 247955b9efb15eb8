package gatewayapi

import "github.com/meshbridge/meshbridge/model"

// reportAccess names every access policy and mTLS setting in the snapshot: Gateway API can
// carry none of them, and dropping them without a word would leave the user believing the
// output keeps Istio's access control.
func (w *writer) reportAccess() {
	for _, p := range w.snap.Access {
		w.report(model.CodeGWAccessNotExpressible, p.Origin, p.Target.Field,
			"%s policy %s/%s is not written: Gateway API has no authorization API", p.Action, p.Namespace, p.Name)
	}
	for _, pa := range w.snap.PeerAuthentications {
		w.report(model.CodeGWAccessNotExpressible, pa.Origin, "spec.mtls",
			"PeerAuthentication %s/%s (mode %s) is not written: Gateway API has no authentication policy", pa.Namespace, pa.Name, pa.Mode)
	}
}
