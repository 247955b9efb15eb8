package gatewayapi

import (
	"testing"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func TestAccessPoliciesAreReportedNotDropped(t *testing.T) {
	snap := &model.Snapshot{
		Access: []model.AccessPolicy{
			{Origin: model.Origin{Object: model.ObjectRef{Kind: "AuthorizationPolicy", Namespace: "shop", Name: "readers"}}, Namespace: "shop", Name: "readers", Action: model.Allow},
			{Origin: model.Origin{Object: model.ObjectRef{Kind: "ServiceRoleBinding", Namespace: "shop", Name: "bind"}}, Namespace: "shop", Name: "bind", Action: model.Deny},
		},
		PeerAuthentications: []model.PeerAuthentication{
			{Origin: model.Origin{Object: model.ObjectRef{Kind: "PeerAuthentication", Namespace: "shop", Name: "strict"}}, Namespace: "shop", Name: "strict", Mode: model.MTLSStrict},
		},
	}
	objs, fs := Write(snap, emit.Options{})
	if len(objs) != 0 {
		t.Errorf("wrote %d objects for access policies", len(objs))
	}
	n := 0
	for _, f := range fs {
		if f.Code == model.CodeGWAccessNotExpressible {
			n++
			if f.Severity != model.Error {
				t.Errorf("severity %s", f.Severity)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d access findings, want one per object: %v", n, fs)
	}
}
