package controller

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/meshbridge/meshbridge/inventory"
)

// packed is a decoded Istio object kept small: its type and object metadata, and its spec's
// protocol buffers encoding, a fraction of the size of the Go structs it decodes into. The
// decodeCache keeps the objects of the networking and security kinds this way and unpacks
// them for each translation that reads them: unpacking is quicker than anything but keeping
// the structs, which would be the larger part of the controller's memory.
type packed struct {
	kind     string
	typeMeta metav1.TypeMeta
	meta     metav1.ObjectMeta
	spec     []byte
}

// pack packs the one object of inv, or returns nil when it is of a kind kept as it is (the
// rbac.istio.io kinds, which have no protocol buffers encoding) or cannot be encoded.
func pack(inv *inventory.Inventory) *packed {
	one := func(kind string, tm metav1.TypeMeta, om metav1.ObjectMeta, spec proto.Message) *packed {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(spec)
		if err != nil {
			return nil
		}
		return &packed{kind: kind, typeMeta: tm, meta: om, spec: b}
	}
	switch {
	case len(inv.VirtualServices) == 1:
		o := inv.VirtualServices[0]
		return one("VirtualService", o.TypeMeta, o.ObjectMeta, &o.Spec)
	case len(inv.DestinationRules) == 1:
		o := inv.DestinationRules[0]
		return one("DestinationRule", o.TypeMeta, o.ObjectMeta, &o.Spec)
	case len(inv.Gateways) == 1:
		o := inv.Gateways[0]
		return one("Gateway", o.TypeMeta, o.ObjectMeta, &o.Spec)
	case len(inv.AuthorizationPolicies) == 1:
		o := inv.AuthorizationPolicies[0]
		return one("AuthorizationPolicy", o.TypeMeta, o.ObjectMeta, &o.Spec)
	case len(inv.PeerAuthentications) == 1:
		o := inv.PeerAuthentications[0]
		return one("PeerAuthentication", o.TypeMeta, o.ObjectMeta, &o.Spec)
	}
	return nil
}

// unpack adds a new copy of the object to inv. Copies share the metadata's maps and slices,
// which translations only read.
func (p *packed) unpack(inv *inventory.Inventory) error {
	var spec proto.Message
	switch p.kind {
	case "VirtualService":
		o := &networkingv1.VirtualService{TypeMeta: p.typeMeta, ObjectMeta: p.meta}
		inv.VirtualServices, spec = append(inv.VirtualServices, o), &o.Spec
	case "DestinationRule":
		o := &networkingv1.DestinationRule{TypeMeta: p.typeMeta, ObjectMeta: p.meta}
		inv.DestinationRules, spec = append(inv.DestinationRules, o), &o.Spec
	case "Gateway":
		o := &networkingv1.Gateway{TypeMeta: p.typeMeta, ObjectMeta: p.meta}
		inv.Gateways, spec = append(inv.Gateways, o), &o.Spec
	case "AuthorizationPolicy":
		o := &securityv1.AuthorizationPolicy{TypeMeta: p.typeMeta, ObjectMeta: p.meta}
		inv.AuthorizationPolicies, spec = append(inv.AuthorizationPolicies, o), &o.Spec
	case "PeerAuthentication":
		o := &securityv1.PeerAuthentication{TypeMeta: p.typeMeta, ObjectMeta: p.meta}
		inv.PeerAuthentications, spec = append(inv.PeerAuthentications, o), &o.Spec
	default:
		return fmt.Errorf("unpacking %s: not a packed kind", p.kind)
	}
	return proto.Unmarshal(p.spec, spec)
}
