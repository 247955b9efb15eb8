package linkerd

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify/gatewayapi"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// Literals returns the callers, networks, ports and inbound route values the Linkerd objects
// name, in the form verify's request classes take.
func Literals(objs semantics.Objects, trustDomain string) semantics.Literals {
	l := gatewayapi.Literals(objs)
	for _, o := range objs.Of(policyGroup, "HTTPRoute") {
		l.Merge(gatewayapi.Literals(semantics.Objects{retag(o.Object)}))
	}
	for _, o := range objs.Of(policyGroup, "MeshTLSAuthentication") {
		for _, id := range semantics.Strings(semantics.List(o.Object, "spec", "identities")) {
			id = strings.TrimPrefix(id, "*.")
			if p, ok := Principal(id); ok {
				l.Principals = append(l.Principals, p)
			} else if ns, _, ok := strings.Cut(id, ".serviceaccount.identity.linkerd."); ok && !strings.Contains(ns, ".") {
				l.Namespaces = append(l.Namespaces, ns)
			}
		}
		for _, r := range semantics.Maps(semantics.List(o.Object, "spec", "identityRefs")) {
			ns := semantics.Str(r, "namespace")
			if ns == "" {
				ns = o.GetNamespace()
			}
			switch semantics.Str(r, "kind") {
			case "ServiceAccount":
				l.Principals = append(l.Principals, model.Peer(trustDomain, ns, semantics.Str(r, "name")))
			case "Namespace":
				l.Namespaces = append(l.Namespaces, semantics.Str(r, "name"))
			}
		}
	}
	for _, o := range objs.Of(policyGroup, "NetworkAuthentication") {
		for _, n := range semantics.Maps(semantics.List(o.Object, "spec", "networks")) {
			l.IPs = append(l.IPs, semantics.Str(n, "cidr"))
			l.IPs = append(l.IPs, semantics.Strings(semantics.List(n, "except"))...)
		}
	}
	for _, o := range objs.Of(policyGroup, "Server") {
		if n, ok := semantics.Number(semantics.Field(o.Object, "spec", "port")); ok {
			l.Ports = append(l.Ports, int32(n))
		}
	}
	for _, o := range objs.Of(policyGroup, "AuthorizationPolicy") {
		for _, r := range semantics.Maps(semantics.List(o.Object, "spec", "requiredAuthenticationRefs")) {
			if semantics.Str(r, "kind") == "ServiceAccount" {
				ns := semantics.Str(r, "namespace")
				if ns == "" {
					ns = o.GetNamespace()
				}
				l.Principals = append(l.Principals, model.Peer(trustDomain, ns, semantics.Str(r, "name")))
			}
		}
	}
	return l
}

// retag presents a policy.linkerd.io HTTPRoute as a Gateway API one (same spec shape) so that
// gatewayapi.Literals reads it.
func retag(m map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "spec": m["spec"]}}
}
