package gatewayapi

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// grants collects the references that cross namespaces, so that each target namespace gets
// ReferenceGrants naming exactly the objects referenced, and only from where they are.
type grants struct {
	// byPair: target namespace + source namespace -> grant being built
	byPair map[[2]string]*grant
}

type grant struct {
	from    map[string]bool // source kinds
	to      map[[3]string]bool
	sources []model.Origin
}

// add records that a kind in namespace fromNS references the object group/kind/name in toNS.
func (g *grants) add(toNS, name, group, kind, fromNS, fromKind string, o model.Origin) {
	if g.byPair == nil {
		g.byPair = map[[2]string]*grant{}
	}
	k := [2]string{toNS, fromNS}
	gr := g.byPair[k]
	if gr == nil {
		gr = &grant{from: map[string]bool{}, to: map[[3]string]bool{}}
		g.byPair[k] = gr
	}
	gr.from[fromKind] = true
	gr.to[[3]string{group, kind, name}] = true
	gr.sources = append(gr.sources, o)
}

// objects returns one ReferenceGrant per target and source namespace (several when more than
// 16 objects are referenced), named after the source namespace.
func (g *grants) objects() []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	keys := slices.SortedFunc(maps.Keys(g.byPair), func(a, b [2]string) int {
		return strings.Compare(a[0]+"/"+a[1], b[0]+"/"+b[1])
	})
	for _, k := range keys {
		gr := g.byPair[k]
		var from []gwv1.ReferenceGrantFrom
		for _, kind := range slices.Sorted(maps.Keys(gr.from)) {
			from = append(from, gwv1.ReferenceGrantFrom{Group: gwv1.GroupName, Kind: gwv1.Kind(kind), Namespace: gwv1.Namespace(k[1])})
		}
		tos := slices.SortedFunc(maps.Keys(gr.to), func(a, b [3]string) int {
			return strings.Compare(strings.Join(a[:], "/"), strings.Join(b[:], "/"))
		})
		for part := 0; len(tos) > 0; part++ {
			n := min(16, len(tos))
			rg := &gwv1.ReferenceGrant{
				ObjectMeta: metav1.ObjectMeta{Name: grantName(k[1], part), Namespace: k[0]},
				Spec:       gwv1.ReferenceGrantSpec{From: from},
			}
			for _, t := range tos[:n] {
				name := gwv1.ObjectName(t[2])
				rg.Spec.To = append(rg.Spec.To, gwv1.ReferenceGrantTo{Group: gwv1.Group(t[0]), Kind: gwv1.Kind(t[1]), Name: &name})
			}
			tos = tos[n:]
			u := emit.MustObject(rg, gvk("ReferenceGrant"))
			emit.AddSources(u, gr.sources...)
			out = append(out, u)
		}
	}
	return out
}

func grantName(fromNS string, part int) string {
	if part == 0 {
		return emit.Name("meshbridge", "from", fromNS)
	}
	return emit.Name("meshbridge", "from", fromNS, fmt.Sprint(part+1))
}
