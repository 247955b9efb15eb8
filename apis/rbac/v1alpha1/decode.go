package v1alpha1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// New returns an empty object of kind (ServiceRole, ServiceRoleBinding, ClusterRbacConfig or
// RbacConfig), and false for any other kind.
func New(kind string) (runtime.Object, bool) {
	switch kind {
	case KindServiceRole:
		return &ServiceRole{}, true
	case KindServiceRoleBinding:
		return &ServiceRoleBinding{}, true
	case KindClusterRbacConfig:
		return &ClusterRbacConfig{}, true
	case KindRbacConfig:
		return &RbacConfig{}, true
	}
	return nil, false
}

// Decode reads one YAML or JSON document of the given kind. It accepts both spellings of every
// field (not_paths and notPaths), and returns, besides the object, the paths of the keys it did
// not know (e.g. "spec.rules[0].verbs"), which it dropped. It fails on malformed input, on a
// kind or apiVersion that does not match, on values of the wrong type, and when one field is
// given in both spellings.
func Decode(kind string, data []byte) (runtime.Object, []string, error) {
	obj, ok := New(kind)
	if !ok {
		return nil, nil, fmt.Errorf("rbac.istio.io/v1alpha1 has no kind %q", kind)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, nil, fmt.Errorf("decoding %s: %w", kind, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("decoding %s: %w", kind, err)
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("decoding %s: the document is not an object", kind)
	}
	if k, ok := top["kind"]; ok && k != kind {
		return nil, nil, fmt.Errorf("decoding %s: the document's kind is %v", kind, k)
	}
	if v, ok := top["apiVersion"]; ok && v != GroupVersion.String() {
		return nil, nil, fmt.Errorf("decoding %s: apiVersion %v is not %s", kind, v, GroupVersion)
	}
	w := walker{}
	norm, err := w.walk("", top, reflect.TypeOf(obj).Elem())
	if err != nil {
		return nil, nil, fmt.Errorf("decoding %s: %w", kind, err)
	}
	nb, err := json.Marshal(norm)
	if err != nil {
		return nil, nil, fmt.Errorf("decoding %s: %w", kind, err)
	}
	if err := json.Unmarshal(nb, obj); err != nil {
		return nil, nil, fmt.Errorf("decoding %s: %w", kind, err)
	}
	obj.GetObjectKind().SetGroupVersionKind(GroupVersion.WithKind(kind))
	return obj, w.unknown, nil
}

// walker normalizes a decoded JSON tree against a Go type: it renames proto field names to
// JSON names, turns quoted integers into numbers (jsonpb accepted both), and drops and records
// keys the type does not have.
type walker struct {
	unknown []string
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// ownPkg is this package's import path: its types are walked even when they implement
// json.Unmarshaler, since their UnmarshalJSON only renames keys.
var ownPkg = reflect.TypeFor[ServiceRole]().PkgPath()

func (w *walker) walk(path string, v any, t reflect.Type) (any, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return nil, nil
	}
	if t.PkgPath() != ownPkg && reflect.PointerTo(t).Implements(unmarshalerType) {
		return v, nil // metav1.Time, FieldsV1, …: opaque here.
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return v, nil // json.Unmarshal reports the type error.
		}
		fields := jsonFields(t)
		out := make(map[string]any, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			name := k
			if _, known := fields[k]; !known {
				if c := camel(k); c != k {
					if _, known := fields[c]; known {
						if _, dup := m[c]; dup {
							return nil, fmt.Errorf("%s: both %q and %q are set", join(path, k), k, c)
						}
						name = c
					}
				}
			}
			ft, known := fields[name]
			if !known {
				w.unknown = append(w.unknown, join(path, k))
				continue
			}
			nv, err := w.walk(join(path, name), m[k], ft)
			if err != nil {
				return nil, err
			}
			out[name] = nv
		}
		return out, nil
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok || t.Elem().Kind() == reflect.Uint8 {
			return v, nil
		}
		out := make([]any, len(l))
		for i, e := range l {
			nv, err := w.walk(fmt.Sprintf("%s[%d]", path, i), e, t.Elem())
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return out, nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return v, nil
		}
		out := make(map[string]any, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			nv, err := w.walk(fmt.Sprintf("%s[%s]", path, k), m[k], t.Elem())
			if err != nil {
				return nil, err
			}
			out[k] = nv
		}
		return out, nil
	case reflect.String:
		// Our enums check their value in UnmarshalJSON, which cannot know where it stands;
		// checking here lets the error name the field (spec.mode, not mode).
		if u, ok := reflect.New(t).Interface().(json.Unmarshaler); ok {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if err := u.UnmarshalJSON(b); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if s, ok := v.(string); ok {
			if _, err := strconv.ParseInt(s, 10, 64); err == nil {
				return json.Number(s), nil
			}
		}
	}
	return v, nil
}

// jsonFields maps the JSON names of t's fields, including inlined embedded structs, to their
// types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && (opts == "inline" || f.Type.Kind() == reflect.Struct) {
			maps.Copy(out, jsonFields(f.Type))
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
