package smi

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// legacy is the shape of fixtures/authz-peer-authentication-modes: old-api takes plain text
// (DISABLE) except on 8443 (STRICT), and is called by shop's service accounts.
func legacy(mode model.MTLSMode, portModes map[int32]model.MTLSMode, policies ...model.AccessPolicy) *model.Snapshot {
	s := snapshot([]model.Workload{
		wl("legacy", "old-api", "old-api", map[string]string{"app": "old-api"}, 8080, 8443),
		wl("shop", "frontend", "frontend", map[string]string{"app": "frontend"}),
		wl("shop", "metrics", "metrics", map[string]string{"app": "metrics"}, 9102),
		wl("other", "stranger", "stranger", map[string]string{"app": "stranger"}),
	}, policies...)
	strict(s)
	s.PeerAuthentications = append(s.PeerAuthentications, model.PeerAuthentication{
		Origin:    model.Origin{Object: model.ObjectRef{Kind: "PeerAuthentication", Namespace: "legacy", Name: "old-api-plain"}},
		Namespace: "legacy", Name: "old-api-plain", Selector: map[string]string{"app": "old-api"},
		Mode: mode, PortModes: portModes,
	})
	return s
}

func oldAPI(rules ...model.AccessRule) model.AccessPolicy {
	return model.AccessPolicy{Namespace: "legacy", Name: "old-api-from-shop", Action: model.Allow,
		Target: model.Target{Selector: map[string]string{"app": "old-api"}}, Rules: rules}
}

func fromNamespaces(ns ...string) []model.Source { return []model.Source{{Namespaces: ns}} }

var (
	frontendSA = sa{Namespace: "shop", Name: "frontend"}
	oldAPISA   = sa{Namespace: "legacy", Name: "old-api"}
)

// wantTCP checks what the objects allow to TCP connections from src to old-api, port by port.
func wantTCP(src sa, allowed, denied []int32) func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
	return func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
		t.Helper()
		for _, p := range allowed {
			if !smiAllows(objs, request{source: src, dest: oldAPISA, port: p}, readOSM) {
				t.Errorf("TCP from %s to port %d: want allowed, as in Istio", src, p)
			}
		}
		for _, p := range denied {
			if smiAllows(objs, request{source: src, dest: oldAPISA, port: p}, readOSM) {
				t.Errorf("TCP from %s to port %d: want denied, as in Istio", src, p)
			}
		}
		if t.Failed() {
			t.Logf("objects:\n%s", dump(objs...))
		}
	}
}

func TestPlainTextPorts(t *testing.T) {
	plainBut8443 := map[int32]model.MTLSMode{8443: model.MTLSStrict}
	runAccessCases(t, []accessCase{
		{
			name:  "identity-based sources are not allowed on a port where mutual TLS is disabled",
			snap:  legacy(model.MTLSDisable, plainBut8443, oldAPI(model.AccessRule{From: fromNamespaces("shop")})),
			want:  []model.Code{model.CodeSMIPlainTextPorts},
			check: wantTCP(frontendSA, []int32{8443}, []int32{8080, undeclaredPort}),
			findings: func(t *testing.T, mesh string, fs model.Findings) {
				f := only(t, fs, model.CodeSMIPlainTextPorts)
				if f.Field != "spec.rules[0]" || !strings.Contains(f.Message, "every port but [8443]") ||
					!strings.Contains(f.Message, "written for ports [8443] only") {
					t.Errorf("got %s %q", f.Field, f.Message)
				}
			},
		},
		{
			name:  "a port-level DISABLE keeps identity-based sources on the other declared ports",
			snap:  legacy(model.MTLSStrict, map[int32]model.MTLSMode{8080: model.MTLSDisable}, oldAPI(model.AccessRule{From: from("cluster.local/ns/shop/sa/frontend")})),
			want:  []model.Code{model.CodeSMIPlainTextPorts},
			check: wantTCP(frontendSA, []int32{8443}, []int32{8080, undeclaredPort}),
		},
		{
			name: "a rule that needs an identity on plain-text ports only is not written",
			snap: legacy(model.MTLSDisable, nil, oldAPI(model.AccessRule{From: fromNamespaces("shop")})),
			want: []model.Code{model.CodeSMIPlainTextPorts},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if tts := toDest(objs, "legacy", "old-api"); len(tts) != 0 {
					t.Errorf("want nothing written for legacy/old-api, got\n%s", dump(tts...))
				}
			},
		},
		{
			name: "a source.namespace condition needs an identity too",
			snap: legacy(model.MTLSDisable, plainBut8443, oldAPI(model.AccessRule{
				When: []model.Condition{{Key: "source.namespace", Values: []string{"shop"}}}})),
			want:  []model.Code{model.CodeSMIPlainTextPorts},
			check: wantTCP(frontendSA, []int32{8443}, []int32{8080}),
		},
		{
			name: "sources that need no identity stay allowed on plain-text ports",
			snap: legacy(model.MTLSDisable, plainBut8443, oldAPI(model.AccessRule{
				From: []model.Source{{NotNamespaces: []string{"other"}}}, To: []model.Operation{{Ports: []string{"8080", "8443"}}}})),
			none:  []model.Code{model.CodeSMIPlainTextPorts},
			check: wantTCP(frontendSA, []int32{8080, 8443}, []int32{undeclaredPort}),
		},
		{
			name:  "PERMISSIVE keeps identity-based sources on every port, as only mTLS callers match them",
			snap:  legacy(model.MTLSPermissive, nil, oldAPI(model.AccessRule{From: fromNamespaces("shop")})),
			none:  []model.Code{model.CodeSMIPlainTextPorts},
			check: wantTCP(frontendSA, []int32{8080, 8443, undeclaredPort}, nil),
		},
		{
			name: "a DENY whose sources need no identity denies every caller on plain-text ports",
			snap: legacy(model.MTLSDisable, plainBut8443, model.AccessPolicy{Namespace: "legacy", Name: "deny-outsiders",
				Action: model.Deny, Target: model.Target{Selector: map[string]string{"app": "old-api"}},
				Rules: []model.AccessRule{{From: []model.Source{{NotNamespaces: []string{"shop"}}}}}}),
			want:  []model.Code{model.CodeSMIDenyFolded},
			check: wantTCP(frontendSA, []int32{8443}, []int32{8080, undeclaredPort}),
		},
		{
			name: "a DENY whose sources need no identity on one plain-text port keeps the others",
			snap: legacy(model.MTLSStrict, map[int32]model.MTLSMode{8080: model.MTLSDisable}, model.AccessPolicy{
				Namespace: "legacy", Name: "deny-outsiders", Action: model.Deny,
				Target: model.Target{Selector: map[string]string{"app": "old-api"}},
				Rules:  []model.AccessRule{{From: []model.Source{{NotNamespaces: []string{"shop"}}}}}}),
			want:  []model.Code{model.CodeSMIDenyFolded},
			check: wantTCP(frontendSA, []int32{8443}, []int32{8080}),
		},
		{
			name: "a DENY that needs an identity says it denies more on plain-text ports",
			snap: legacy(model.MTLSDisable, plainBut8443, model.AccessPolicy{Namespace: "legacy", Name: "deny-shop",
				Action: model.Deny, Target: model.Target{Selector: map[string]string{"app": "old-api"}},
				Rules: []model.AccessRule{{From: fromNamespaces("shop")}}}),
			want:  []model.Code{model.CodeSMIDenyNarrowed},
			none:  []model.Code{model.CodeSMIDenyFolded},
			check: wantTCP(sa{Namespace: "other", Name: "stranger"}, []int32{8080, 8443}, nil),
		},
	})
}

// only returns the one finding with code, or fails.
func only(t *testing.T, fs model.Findings, code model.Code) model.Finding {
	t.Helper()
	var got []model.Finding
	for _, f := range fs {
		if f.Code == code {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("want one %s finding, got %d: %v", code, len(got), fs)
	}
	return got[0]
}
