package semantics

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/meshbridge/meshbridge/model"
)

// Objects are emitted objects, read as unstructured whatever their kind and version.
type Objects []*unstructured.Unstructured

// Of returns the objects of group and kind, at any version, in their order.
func (objs Objects) Of(group, kind string) Objects {
	var out Objects
	for _, o := range objs {
		gv, err := schema.ParseGroupVersion(o.GetAPIVersion())
		if err == nil && gv.Group == group && o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// Name renders "Kind namespace/name" for messages.
func Name(o *unstructured.Unstructured) string {
	return o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
}

// Str reads a string field; "" when absent or not a string.
func Str(m map[string]any, path ...string) string {
	v, _, _ := unstructured.NestedFieldNoCopy(m, path...)
	s, _ := v.(string)
	return s
}

// List reads a list field; nil when absent or not a list.
func List(m map[string]any, path ...string) []any {
	v, _, _ := unstructured.NestedFieldNoCopy(m, path...)
	l, _ := v.([]any)
	return l
}

// Map reads an object field; nil when absent or not an object.
func Map(m map[string]any, path ...string) map[string]any {
	v, _, _ := unstructured.NestedFieldNoCopy(m, path...)
	o, _ := v.(map[string]any)
	return o
}

// Has reports whether a field is present (even null).
func Has(m map[string]any, path ...string) bool {
	_, ok, _ := unstructured.NestedFieldNoCopy(m, path...)
	return ok
}

// Maps returns the elements of a list that are objects.
func Maps(l []any) []map[string]any {
	var out []map[string]any
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Strings returns the elements of a list that are strings.
func Strings(l []any) []string {
	var out []string
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Number reads an integer field written as a JSON number (int64, float64) or a decimal
// string; ok is false otherwise.
func Number(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		return int64(n), n == float64(int64(n))
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

// Field reads any field.
func Field(m map[string]any, path ...string) any {
	v, _, _ := unstructured.NestedFieldNoCopy(m, path...)
	return v
}

// StringMap reads a map of strings (labels, selectors).
func StringMap(m map[string]any, path ...string) map[string]string {
	raw := Map(m, path...)
	if raw == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range raw {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// Services resolves Service names: Services among the emitted objects (generated ones, such as
// one per subset) first, then the input inventory's.
type Services struct {
	emitted map[string]model.Service
	inv     *model.Inventory
}

// NewServices indexes the emitted Services.
func NewServices(objs Objects, inv *model.Inventory) *Services {
	s := &Services{emitted: map[string]model.Service{}, inv: inv}
	for _, o := range objs.Of("", "Service") {
		svc := model.Service{Namespace: o.GetNamespace(), Name: o.GetName(), Selector: StringMap(o.Object, "spec", "selector")}
		for _, p := range Maps(List(o.Object, "spec", "ports")) {
			n, _ := Number(p["port"])
			sp := model.ServicePort{Name: Str(p, "name"), Port: int32(n)}
			switch t := p["targetPort"].(type) {
			case string:
				if i, err := strconv.Atoi(t); err == nil {
					sp.TargetPort = int32(i)
				} else {
					sp.TargetPortName = t
				}
			default:
				if i, ok := Number(t); ok {
					sp.TargetPort = int32(i)
				}
			}
			svc.Ports = append(svc.Ports, sp)
		}
		s.emitted[svc.Namespace+"/"+svc.Name] = svc
	}
	return s
}

// Get returns the Service namespace/name and whether it is known.
func (s *Services) Get(namespace, name string) (model.Service, bool) {
	if svc, ok := s.emitted[namespace+"/"+name]; ok {
		return svc, true
	}
	if s.inv != nil {
		if svc, ok := s.inv.Service(namespace, name); ok {
			return svc, true
		}
	}
	return model.Service{Namespace: namespace, Name: name}, false
}

// Key names the pods behind Service namespace/name, as Backend.Key does.
func (s *Services) Key(namespace, name string) string {
	svc, ok := s.Get(namespace, name)
	return ServiceKey(svc, ok, nil)
}

// MatchSelector evaluates a metav1.LabelSelector held as unstructured (matchLabels and
// matchExpressions) against labels. A nil selector matches nothing; an empty one everything.
func MatchSelector(sel map[string]any, labels map[string]string) bool {
	if sel == nil {
		return false
	}
	for k, v := range StringMap(sel, "matchLabels") {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	for _, e := range Maps(List(sel, "matchExpressions")) {
		key, op := Str(e, "key"), Str(e, "operator")
		values := Strings(List(e, "values"))
		lv, has := labels[key]
		in := false
		for _, v := range values {
			in = in || (has && lv == v)
		}
		switch strings.ToLower(op) {
		case "in":
			if !in {
				return false
			}
		case "notin":
			if in {
				return false
			}
		case "exists":
			if !has {
				return false
			}
		case "doesnotexist":
			if has {
				return false
			}
		default:
			return false
		}
	}
	return true
}
