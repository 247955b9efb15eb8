package smi

import (
	"reflect"
	"testing"

	accessv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/access/v1alpha2"
	accessv1alpha3 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/access/v1alpha3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/meshbridge/meshbridge/translate/emit"
)

// sdkTrafficTarget builds a TrafficTarget from the SDK's types, as the writer once did.
func sdkTrafficTarget(version, name string, dest sa, port int32, sources []sa, hrg string, matches, tcpRoutes []string,
	annotations map[string]string) *unstructured.Unstructured {
	meta := metav1.ObjectMeta{Name: name, Namespace: dest.Namespace, Annotations: annotations}
	gvk := schema.GroupVersionKind{Group: accessGroup, Version: version, Kind: "TrafficTarget"}
	if version == "v1alpha2" {
		tt := &accessv1alpha2.TrafficTarget{ObjectMeta: meta}
		tt.Spec.Destination = accessv1alpha2.IdentityBindingSubject{Kind: "ServiceAccount", Name: dest.Name, Namespace: dest.Namespace}
		if port != 0 {
			p := int(port)
			tt.Spec.Destination.Port = &p
		}
		for _, s := range sources {
			tt.Spec.Sources = append(tt.Spec.Sources, accessv1alpha2.IdentityBindingSubject{Kind: "ServiceAccount", Name: s.Name, Namespace: s.Namespace})
		}
		if len(matches) > 0 {
			tt.Spec.Rules = append(tt.Spec.Rules, accessv1alpha2.TrafficTargetRule{Kind: "HTTPRouteGroup", Name: hrg, Matches: matches})
		}
		for _, t := range tcpRoutes {
			tt.Spec.Rules = append(tt.Spec.Rules, accessv1alpha2.TrafficTargetRule{Kind: "TCPRoute", Name: t})
		}
		return emit.MustObject(tt, gvk)
	}
	tt := &accessv1alpha3.TrafficTarget{ObjectMeta: meta}
	tt.Spec.Destination = accessv1alpha3.IdentityBindingSubject{Kind: "ServiceAccount", Name: dest.Name, Namespace: dest.Namespace}
	for _, s := range sources {
		tt.Spec.Sources = append(tt.Spec.Sources, accessv1alpha3.IdentityBindingSubject{Kind: "ServiceAccount", Name: s.Name, Namespace: s.Namespace})
	}
	if len(matches) > 0 {
		tt.Spec.Rules = append(tt.Spec.Rules, accessv1alpha3.TrafficTargetRule{Kind: "HTTPRouteGroup", Name: hrg, Matches: matches})
	}
	for _, t := range tcpRoutes {
		tt.Spec.Rules = append(tt.Spec.Rules, accessv1alpha3.TrafficTargetRule{Kind: "TCPRoute", Name: t})
	}
	return emit.MustObject(tt, gvk)
}

func TestTrafficTargetIsTheSDKs(t *testing.T) {
	ann := map[string]string{emit.SourceAnnotation: "AuthorizationPolicy/shop/allow"}
	cases := []struct {
		name         string
		dest         sa
		port         int32
		sources      []sa
		hrg          string
		matches, tcp []string
		annotations  map[string]string
	}{
		{"HTTP matches and TCP routes from two sources", acct("shop", "api"), 0, accountsOf("shop/web", "team-a/db"),
			"allow-api", []string{"m0", "m1"}, []string{"allow-api-tcp-80", "allow-api-tcp-8080"}, ann},
		{"a destination port", acct("shop", "api"), 8080, accountsOf("shop/web"), "allow-api", []string{"m0"}, nil, ann},
		{"TCP routes only", acct("shop", "api"), 0, accountsOf("shop/web"), "", nil, []string{"allow-api-tcp"}, ann},
		{"no source, rule or annotation", acct("shop", "api"), 0, nil, "", nil, nil, nil},
		{"accounts without namespace", acct("", "api"), 0, []sa{acct("", "web")}, "g", []string{"m0"}, nil, ann},
	}
	for _, version := range []string{"v1alpha2", "v1alpha3"} {
		w := &writer{prof: profile{access: version}}
		for _, c := range cases {
			t.Run(version+"/"+c.name, func(t *testing.T) {
				got := w.trafficTarget("tt", c.dest, c.port, c.sources, c.hrg, c.matches, c.tcp, c.annotations)
				port := c.port
				if version != "v1alpha2" {
					port = 0 // access v1alpha3 has no destination port; the writer passes none
				}
				want := sdkTrafficTarget(version, "tt", c.dest, port, c.sources, c.hrg, c.matches, c.tcp, c.annotations)
				if !reflect.DeepEqual(got.Object, want.Object) {
					t.Errorf("got\n%#v\nwant\n%#v", got.Object, want.Object)
				}
			})
		}
	}
}
