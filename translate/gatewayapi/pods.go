package gatewayapi

import (
	"maps"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// Gateways name the namespace of their pods for every credential (certificateRef), and every
// Gateway of a generated corpus selects its pods alike (istio: ingressgateway). Testing every
// workload of the input against every Gateway's selector made writing quadratic; instead the
// workloads are indexed once by label, a selector is matched only against the workloads that
// carry its rarest label, and each selector's answer is kept.

// labelPair is one label of a workload, as an index key.
type labelPair struct{ key, value string }

// podIndex finds the namespaces of the workloads a selector selects.
type podIndex struct {
	byLabel map[labelPair][]int // workload indexes of inv.Workloads, in order
	done    map[string][]string // canonical selector -> sorted namespaces
}

// podNamespaces returns the sorted, distinct namespaces of the workloads in every namespace
// whose labels match selector (matchLabels semantics; a non-empty selector).
func (w *writer) podNamespaces(selector map[string]string) []string {
	x := &w.pods
	if x.byLabel == nil {
		x.byLabel = map[labelPair][]int{}
		x.done = map[string][]string{}
		for i, wl := range w.inv.Workloads {
			for k, v := range wl.Labels {
				p := labelPair{k, v}
				x.byLabel[p] = append(x.byLabel[p], i)
			}
		}
	}
	keys := slices.Sorted(maps.Keys(selector))
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(selector[k])
		b.WriteByte(0)
	}
	canon := b.String()
	if nss, ok := x.done[canon]; ok {
		return nss
	}
	var fewest []int
	for i, k := range keys {
		list := x.byLabel[labelPair{k, selector[k]}]
		if i == 0 || len(list) < len(fewest) {
			fewest = list
		}
	}
	var nss []string
	for _, i := range fewest {
		if wl := &w.inv.Workloads[i]; model.Selects(selector, wl.Labels) {
			nss = append(nss, wl.Namespace)
		}
	}
	slices.Sort(nss)
	nss = slices.Compact(nss)
	x.done[canon] = nss
	return nss
}
