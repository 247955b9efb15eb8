package emit

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/meshbridge/meshbridge/model"
)

// Targets that route by Service (SMI TrafficSplit, Gateway API backendRefs) cannot name a
// DestinationRule subset, so writers stand one Service in for each subset: same namespace and
// ports as the host Service, and a selector that adds the subset's labels to the host's.

// SubsetServiceName returns the name of the Service generated for b's subset:
// Name(service, subset).
func SubsetServiceName(b model.Backend) string {
	return Name(b.Service.Name, b.Subset)
}

// SubsetService builds the Service that stands for backend b's DestinationRule subset: named
// SubsetServiceName(b), in the host Service's namespace, selecting the host Service's selector
// plus the subset's labels, with the host Service's ports. It is annotated as generated, with
// the sources (the objects that referenced the subset) in SourceAnnotation.
//
// It fails when b has no subset, when the subset did not resolve (SubsetLabels is nil), when the
// host Service is not in inv, has no selector (its endpoints are managed elsewhere, so no label
// can narrow them) or no ports, or when a subset label contradicts the host's selector (the
// subset then selects no pod of the Service).
func SubsetService(inv *model.Inventory, b model.Backend, sources ...model.Origin) (*unstructured.Unstructured, error) {
	svc, err := subsetHost(inv, b)
	if err != nil {
		return nil, err
	}
	selector := maps.Clone(svc.Selector)
	maps.Copy(selector, b.SubsetLabels)
	out := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name:        SubsetServiceName(b),
			Namespace:   svc.Namespace,
			Annotations: map[string]string{GeneratedAnnotation: "true"},
		},
		Spec: corev1.ServiceSpec{Selector: selector},
	}
	for _, p := range svc.Ports {
		sp := corev1.ServicePort{Name: p.Name, Port: p.Port, Protocol: corev1.Protocol(p.Protocol)}
		if p.AppProtocol != "" {
			sp.AppProtocol = &p.AppProtocol
		}
		switch {
		case p.TargetPortName != "":
			sp.TargetPort = intstr.FromString(p.TargetPortName)
		case p.TargetPort != 0:
			sp.TargetPort = intstr.FromInt32(p.TargetPort)
		}
		out.Spec.Ports = append(out.Spec.Ports, sp)
	}
	u, err := Object(out, corev1.SchemeGroupVersion.WithKind("Service"))
	if err != nil {
		return nil, err
	}
	delete(u.Object, "status") // a Service's status always holds an empty loadBalancer
	AddSources(u, sources...)
	return u, nil
}

// CheckSubset returns the error SubsetService(inv, b) would return, without building the
// Service: writers ask for every destination of every rule whether a subset can be written.
func CheckSubset(inv *model.Inventory, b model.Backend) error {
	_, err := subsetHost(inv, b)
	return err
}

// subsetHost returns the host Service of b's subset after SubsetService's checks.
func subsetHost(inv *model.Inventory, b model.Backend) (model.Service, error) {
	ref := b.Service
	switch {
	case b.Subset == "":
		return model.Service{}, fmt.Errorf("destination %s/%s has no subset", ref.Namespace, ref.Name)
	case b.SubsetLabels == nil:
		return model.Service{}, fmt.Errorf("subset %q of %s/%s did not resolve to a DestinationRule subset", b.Subset, ref.Namespace, ref.Name)
	}
	svc, ok := inv.Service(ref.Namespace, ref.Name)
	if !ok {
		return model.Service{}, fmt.Errorf("service %s/%s is not in the input", ref.Namespace, ref.Name)
	}
	if len(svc.Selector) == 0 {
		return model.Service{}, fmt.Errorf("service %s/%s has no selector, so subset %q cannot be given a Service of its own", svc.Namespace, svc.Name, b.Subset)
	}
	if len(svc.Ports) == 0 {
		return model.Service{}, fmt.Errorf("service %s/%s declares no ports", svc.Namespace, svc.Name)
	}
	// A subset label that contradicts the selector: the first such label by name is named.
	conflict, found := "", false
	for k, v := range b.SubsetLabels {
		if old, ok := svc.Selector[k]; ok && old != v && (!found || k < conflict) {
			conflict, found = k, true
		}
	}
	if found {
		k := conflict
		return model.Service{}, fmt.Errorf("subset %q of %s/%s requires %s=%s but the Service selects %s=%s: it selects no pod",
			b.Subset, svc.Namespace, svc.Name, k, b.SubsetLabels[k], k, svc.Selector[k])
	}
	return svc, nil
}

// AddSources adds origins to obj's SourceAnnotation, which lists Source(origin) values sorted,
// without duplicates, and separated by commas.
func AddSources(obj *unstructured.Unstructured, sources ...model.Origin) {
	ann := obj.GetAnnotations()
	var all []string
	if cur := ann[SourceAnnotation]; cur != "" {
		all = strings.Split(cur, ",")
	}
	for _, o := range sources {
		all = append(all, Source(o))
	}
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	if ann == nil {
		ann = map[string]string{}
	}
	ann[SourceAnnotation] = strings.Join(slices.Compact(all), ",")
	obj.SetAnnotations(ann)
}

// Subsets collects the subset Services a writer references, one per name, merging the sources
// of every reference. The zero value is ready to use.
type Subsets struct {
	byName map[string]*unstructured.Unstructured
	// owner says which host Service and subset each name was generated for, to catch two
	// subsets whose joined names collide (service a-b subset c, service a subset b-c).
	owner map[string][2]string
	// sources holds the sources already annotated on each, so that a repeated reference
	// (every rule, port and namespace of one route) does not rewrite the annotation.
	sources map[string]map[model.Origin]bool
}

// Add records a reference from source to b's subset and returns the Service to route to
// instead of b.Service (same port). Errors are SubsetService's.
func (s *Subsets) Add(inv *model.Inventory, b model.Backend, source model.Origin) (model.ServiceRef, error) {
	name := SubsetServiceName(b)
	key := b.Service.Namespace + "/" + name
	ref := model.ServiceRef{Namespace: b.Service.Namespace, Name: name, Port: b.Service.Port}
	if u, ok := s.byName[key]; ok {
		if o := s.owner[key]; o != [2]string{b.Service.Name, b.Subset} {
			return model.ServiceRef{}, fmt.Errorf("subset %q of %s/%s and subset %q of %s/%s would both be served by Service %s",
				b.Subset, b.Service.Namespace, b.Service.Name, o[1], b.Service.Namespace, o[0], ref.Name)
		}
		if !s.sources[key][source] {
			s.sources[key][source] = true
			AddSources(u, source)
		}
		return ref, nil
	}
	u, err := SubsetService(inv, b, source)
	if err != nil {
		return model.ServiceRef{}, err
	}
	if s.byName == nil {
		s.byName = map[string]*unstructured.Unstructured{}
		s.owner = map[string][2]string{}
		s.sources = map[string]map[model.Origin]bool{}
	}
	s.byName[key] = u
	s.owner[key] = [2]string{b.Service.Name, b.Subset}
	s.sources[key] = map[model.Origin]bool{source: true}
	return ref, nil
}

// Objects returns the collected Services ordered by namespace and name.
func (s *Subsets) Objects() []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, k := range slices.Sorted(maps.Keys(s.byName)) {
		out = append(out, s.byName[k])
	}
	return out
}
