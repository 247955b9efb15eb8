package istio

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshbridge/meshbridge/model"
)

// authzFields says, for every field of the AuthorizationPolicy and PeerAuthentication protos
// (and the messages they hold), how the reader handles it: "model" when it is translated into
// the model, or the finding code reported when it is not. A field Istio adds later fails
// TestEveryAuthzFieldIsHandled until it is listed here, and handled.
var authzFields = map[string]string{
	"istio.security.v1beta1.AuthorizationPolicy.selector":               "model", // Target.Selector
	"istio.security.v1beta1.AuthorizationPolicy.targetRef":              "model", // Target.Refs
	"istio.security.v1beta1.AuthorizationPolicy.targetRefs":             "model", // Target.Refs
	"istio.security.v1beta1.AuthorizationPolicy.rules":                  "model",
	"istio.security.v1beta1.AuthorizationPolicy.action":                 "model",
	"istio.security.v1beta1.AuthorizationPolicy.provider":               "model",
	"istio.security.v1beta1.AuthorizationPolicy.ExtensionProvider.name": "model", // Provider

	"istio.security.v1beta1.Rule.from":         "model",
	"istio.security.v1beta1.Rule.to":           "model",
	"istio.security.v1beta1.Rule.when":         "model",
	"istio.security.v1beta1.Rule.From.source":  "model",
	"istio.security.v1beta1.Rule.To.operation": "model",

	"istio.security.v1beta1.Source.principals":             "model",
	"istio.security.v1beta1.Source.not_principals":         "model",
	"istio.security.v1beta1.Source.request_principals":     "model",
	"istio.security.v1beta1.Source.not_request_principals": "model",
	"istio.security.v1beta1.Source.namespaces":             "model",
	"istio.security.v1beta1.Source.not_namespaces":         "model",
	"istio.security.v1beta1.Source.service_accounts":       "model",
	"istio.security.v1beta1.Source.not_service_accounts":   "model",
	"istio.security.v1beta1.Source.ip_blocks":              "model",
	"istio.security.v1beta1.Source.not_ip_blocks":          "model",
	"istio.security.v1beta1.Source.remote_ip_blocks":       "model",
	"istio.security.v1beta1.Source.not_remote_ip_blocks":   "model",
	"istio.security.v1beta1.Source.trust_domains":          "model",
	"istio.security.v1beta1.Source.not_trust_domains":      "model",

	"istio.security.v1beta1.Operation.hosts":       "model",
	"istio.security.v1beta1.Operation.not_hosts":   "model",
	"istio.security.v1beta1.Operation.ports":       "model",
	"istio.security.v1beta1.Operation.not_ports":   "model",
	"istio.security.v1beta1.Operation.methods":     "model",
	"istio.security.v1beta1.Operation.not_methods": "model",
	"istio.security.v1beta1.Operation.paths":       "model",
	"istio.security.v1beta1.Operation.not_paths":   "model",

	"istio.security.v1beta1.Condition.key":        "model",
	"istio.security.v1beta1.Condition.values":     "model",
	"istio.security.v1beta1.Condition.not_values": "model",

	"istio.type.v1beta1.WorkloadSelector.match_labels":   "model",
	"istio.type.v1beta1.PolicyTargetReference.group":     "model", // ObjectRef.APIVersion
	"istio.type.v1beta1.PolicyTargetReference.kind":      "model",
	"istio.type.v1beta1.PolicyTargetReference.name":      "model",
	"istio.type.v1beta1.PolicyTargetReference.namespace": string(model.CodeAuthzRefused), // cross-namespace refs are invalid

	"istio.security.v1beta1.PeerAuthentication.selector":        "model",
	"istio.security.v1beta1.PeerAuthentication.mtls":            "model",
	"istio.security.v1beta1.PeerAuthentication.port_level_mtls": "model", // PortModes
	"istio.security.v1beta1.PeerAuthentication.MutualTLS.mode":  "model",
}

// TestEveryAuthzFieldIsHandled walks the proto descriptors and fails on any field that is
// neither translated nor reported, and on table entries Istio no longer has.
func TestEveryAuthzFieldIsHandled(t *testing.T) {
	seen := map[string]bool{}
	var walk func(md protoreflect.MessageDescriptor)
	walk = func(md protoreflect.MessageDescriptor) {
		if seen[string(md.FullName())] || !strings.HasPrefix(string(md.FullName()), "istio.") {
			return
		}
		seen[string(md.FullName())] = true
		fields := md.Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			name := string(fd.FullName())
			how, ok := authzFields[name]
			switch {
			case !ok:
				t.Errorf("field %s is neither translated nor reported: handle it and list it in authzFields", name)
			case how != "model":
				if _, known := model.Lookup(model.Code(how)); !known {
					t.Errorf("field %s names unknown code %s", name, how)
				}
			}
			seen[name] = true
			if fd.Kind() == protoreflect.MessageKind {
				msg := fd.Message()
				if fd.IsMap() {
					msg = fd.MapValue().Message()
				}
				if msg != nil {
					walk(msg)
				}
			}
		}
	}
	for _, m := range []proto.Message{&securityv1beta1.AuthorizationPolicy{}, &securityv1beta1.PeerAuthentication{}} {
		walk(m.ProtoReflect().Descriptor())
	}
	var stale []string
	for name := range authzFields {
		if !seen[name] {
			stale = append(stale, name)
		}
	}
	slices.Sort(stale)
	if len(stale) > 0 {
		t.Errorf("authzFields lists fields Istio does not have: %v", stale)
	}
}
