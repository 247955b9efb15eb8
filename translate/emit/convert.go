package emit

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/structured-merge-diff/v6/value"
)

// Writers build typed objects and return them unstructured. apimachinery's
// runtime.DefaultUnstructuredConverter finds its way through every value by reflection each
// time: it looks each field's JSON name up in a shared cache, asks a second cache whether the
// type converts itself, and builds every map and slice through reflect. For the Gateway API
// writer that was half its time. toUnstructured builds the same maps (same keys, and values of
// the same types: string, bool, int64, float64, []interface{}, map[string]interface{} or nil)
// from a plan made once per type, following apimachinery's rules step by step: json tag names,
// omitempty as its isEmpty reads it, omitzero, anonymous structs inlined, a nil pointer field
// kept as a null value, types that convert themselves (metav1.Time, intstr.IntOrString, ...)
// handed to the same structured-merge-diff entry apimachinery uses. What the plan does not
// cover (unstructured objects, a top-level or inlined type that converts itself, the "embed"
// tag, unexported fields, interface fields, arrays, maps with non-string keys) and any error
// are left to apimachinery's converter for the whole object, so the result is always the one
// it gives.

// encode converts one value; nil is JSON null.
type encode func(v reflect.Value) (any, error)

// plan is one type's encoder; fn is set once the type is planned (types may be recursive).
type plan struct{ fn encode }

// structPlan writes a struct's fields into a map.
type structPlan struct{ fields []fieldPlan }

type fieldPlan struct {
	index     int
	name      string // "" for a struct inlined into its parent's map
	omitempty bool
	omitzero  func(reflect.Value) bool
	kind      reflect.Kind
	sub       *plan       // for kinds other than string, bool, numbers
	inline    *structPlan // for inlined structs
	inlinePtr bool        // the inlined struct is behind a pointer
}

// plans holds each top-level type's plan, or nil when apimachinery converts it.
var plans sync.Map // reflect.Type -> *structPlan

var planMu sync.Mutex

// toUnstructured is runtime.DefaultUnstructuredConverter.ToUnstructured(obj).
func toUnstructured(obj runtime.Object) (map[string]any, error) {
	if _, ok := obj.(runtime.Unstructured); ok {
		return runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	}
	v := reflect.ValueOf(obj)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		if sp := topPlan(v.Type().Elem()); sp != nil {
			m := make(map[string]any, len(sp.fields))
			if err := sp.into(v.Elem(), m); err == nil {
				return m, nil
			}
		}
	}
	return runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
}

func topPlan(t reflect.Type) *structPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*structPlan)
	}
	planMu.Lock()
	defer planMu.Unlock()
	if p, ok := plans.Load(t); ok {
		return p.(*structPlan)
	}
	var sp *structPlan
	if t.Kind() == reflect.Struct && !value.TypeReflectEntryOf(t).CanConvertToUnstructured() {
		pl := &planner{plans: map[reflect.Type]*plan{}, structs: map[reflect.Type]*structPlan{}}
		if s, ok := pl.structOf(t); ok {
			sp = s
		}
	}
	plans.Store(t, sp)
	return sp
}

// planner plans the types one top-level type reaches.
type planner struct {
	plans   map[reflect.Type]*plan
	structs map[reflect.Type]*structPlan
}

// planOf plans apimachinery's toUnstructured for values of type t; false when unsupported.
func (pl *planner) planOf(t reflect.Type) (*plan, bool) {
	if p, ok := pl.plans[t]; ok {
		return p, true
	}
	p := &plan{}
	pl.plans[t] = p
	if entry := value.TypeReflectEntryOf(t); entry.CanConvertToUnstructured() {
		p.fn = func(v reflect.Value) (any, error) { return entry.ToUnstructured(v) }
		return p, true
	}
	switch t.Kind() {
	case reflect.String:
		p.fn = func(v reflect.Value) (any, error) { return v.String(), nil }
	case reflect.Bool:
		p.fn = func(v reflect.Value) (any, error) { return v.Bool(), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.fn = func(v reflect.Value) (any, error) { return v.Int(), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		p.fn = func(v reflect.Value) (any, error) { return uintValue(v.Uint()) }
	case reflect.Float32, reflect.Float64:
		p.fn = func(v reflect.Value) (any, error) { return v.Float(), nil }
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, false
		}
		elem, ok := pl.planOf(t.Elem())
		if !ok {
			return nil, false
		}
		p.fn = func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			m := make(map[string]any, v.Len())
			for it := v.MapRange(); it.Next(); {
				x, err := elem.fn(it.Value())
				if err != nil {
					return nil, err
				}
				m[it.Key().String()] = x
			}
			return m, nil
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			// apimachinery writes bytes as encoding/json does: standard base64.
			p.fn = func(v reflect.Value) (any, error) {
				if v.IsNil() {
					return nil, nil
				}
				return base64.StdEncoding.EncodeToString(v.Bytes()), nil
			}
			break
		}
		elem, ok := pl.planOf(t.Elem())
		if !ok {
			return nil, false
		}
		p.fn = func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			out := make([]any, v.Len())
			for i := range out {
				x, err := elem.fn(v.Index(i))
				if err != nil {
					return nil, err
				}
				out[i] = x
			}
			return out, nil
		}
	case reflect.Pointer:
		elem, ok := pl.planOf(t.Elem())
		if !ok {
			return nil, false
		}
		p.fn = func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			return elem.fn(v.Elem())
		}
	case reflect.Struct:
		sp, ok := pl.structOf(t)
		if !ok {
			return nil, false
		}
		p.fn = func(v reflect.Value) (any, error) {
			m := make(map[string]any, min(len(sp.fields), 8))
			if err := sp.into(v, m); err != nil {
				return nil, err
			}
			return m, nil
		}
	default:
		return nil, false // interfaces, arrays, channels, functions
	}
	return p, true
}

// structOf plans the fields of struct type t as apimachinery's structToUnstructured reads them.
func (pl *planner) structOf(t reflect.Type) (*structPlan, bool) {
	if sp, ok := pl.structs[t]; ok {
		return sp, true
	}
	sp := &structPlan{}
	pl.structs[t] = sp
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.PkgPath != "" {
			return nil, false // unexported
		}
		f := fieldPlan{index: i, kind: sf.Type.Kind()}
		tag, exists := sf.Tag.Lookup("json")
		if !exists || tag == "" {
			if !sf.Anonymous {
				f.name = sf.Name
			}
		} else {
			items := strings.Split(tag, ",")
			f.name = items[0]
			if f.name == "" && !sf.Anonymous {
				f.name = sf.Name
			}
			for _, d := range items[1:] {
				switch d {
				case "omitempty":
					f.omitempty = true
				case "omitzero":
					f.omitzero = value.OmitZeroFunc(sf.Type)
				case "embed":
					return nil, false // inlined or not depending on the Go version
				}
			}
		}
		if f.name == "-" {
			continue
		}
		if f.name == "" {
			it := sf.Type
			if it.Kind() == reflect.Pointer {
				f.inlinePtr = true
				if value.TypeReflectEntryOf(it).CanConvertToUnstructured() {
					return nil, false
				}
				it = it.Elem()
			}
			if it.Kind() != reflect.Struct || value.TypeReflectEntryOf(it).CanConvertToUnstructured() {
				return nil, false
			}
			in, ok := pl.structOf(it)
			if !ok {
				return nil, false
			}
			f.inline = in
			sp.fields = append(sp.fields, f)
			continue
		}
		switch f.kind {
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			// written directly, as apimachinery does, without asking whether the type converts itself
		default:
			sub, ok := pl.planOf(sf.Type)
			if !ok {
				return nil, false
			}
			f.sub = sub
		}
		sp.fields = append(sp.fields, f)
	}
	return sp, true
}

// into writes struct v's fields into m.
func (sp *structPlan) into(v reflect.Value, m map[string]any) error {
	for i := range sp.fields {
		f := &sp.fields[i]
		fv := v.Field(f.index)
		if f.omitempty && isEmpty(fv) {
			continue
		}
		if f.omitzero != nil && f.omitzero(fv) {
			continue
		}
		if f.inline != nil {
			if f.inlinePtr {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			if err := f.inline.into(fv, m); err != nil {
				return err
			}
			continue
		}
		switch f.kind {
		case reflect.String:
			m[f.name] = fv.String()
		case reflect.Bool:
			m[f.name] = fv.Bool()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			m[f.name] = fv.Int()
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			x, err := uintValue(fv.Uint())
			if err != nil {
				return err
			}
			m[f.name] = x
		case reflect.Float32, reflect.Float64:
			m[f.name] = fv.Float()
		default:
			x, err := f.sub.fn(fv)
			if err != nil {
				return err
			}
			m[f.name] = x
		}
	}
	return nil
}

// isEmpty is apimachinery's omitempty test: structs are never empty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Map, reflect.Slice:
		return v.IsNil() || v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return false
}

func uintValue(u uint64) (any, error) {
	if u > math.MaxInt64 {
		return nil, fmt.Errorf("unsigned value %d does not fit into int64 (overflow)", u)
	}
	return int64(u), nil
}
