package load

import (
	"encoding/json"
	"reflect"
	"strings"
)

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// unmarshalerPath finds the field whose own UnmarshalJSON failed with msg. encoding/json
// returns such errors (a bad resource.Quantity, metav1.Time or intstr.IntOrString) without a
// position, so the loader walks the JSON tree and the Go type side by side and retries each
// value whose type has an UnmarshalJSON method. It returns the first that fails with msg, or
// else the first that fails at all.
func unmarshalerPath(data []byte, n *jsonNode, t reflect.Type, msg string) (fieldPath, bool) {
	w := unmarshalerWalk{data: data, msg: msg}
	w.walk(n, t, nil, 0)
	if w.exact != nil {
		return w.exact, true
	}
	return w.first, w.first != nil
}

type unmarshalerWalk struct {
	data         []byte
	msg          string
	first, exact fieldPath
}

func (w *unmarshalerWalk) walk(n *jsonNode, t reflect.Type, p fieldPath, depth int) {
	if w.exact != nil || depth > 100 || n.kind == jsonNull {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if err := tryUnmarshal(t, w.data[n.start:n.end]); err != nil {
			if w.first == nil {
				w.first = append(fieldPath{}, p...)
			}
			if err.Error() == w.msg {
				w.exact = append(fieldPath{}, p...)
			}
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.kind != jsonObject {
			return
		}
		fields := jsonFields(t)
		for _, k := range n.kids {
			if ft, ok := fields[k.key]; ok {
				w.walk(k, ft, p.field(k.key), depth+1)
			}
		}
	case reflect.Map:
		if n.kind != jsonObject {
			return
		}
		for _, k := range n.kids {
			w.walk(k, t.Elem(), p.mapKey(k.key), depth+1)
		}
	case reflect.Slice, reflect.Array:
		if n.kind != jsonArray {
			return
		}
		for i, k := range n.kids {
			w.walk(k, t.Elem(), p.idx(i), depth+1)
		}
	}
}

func tryUnmarshal(t reflect.Type, data []byte) (err error) {
	defer func() {
		if recover() != nil {
			err = errorString("panic")
		}
	}()
	return reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(data)
}

// jsonFields maps the JSON names of a struct's fields to their types, with the fields of
// embedded structs promoted as encoding/json promotes them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	addJSONFields(t, m, 0)
	return m
}

func addJSONFields(t reflect.Type, m map[string]reflect.Type, depth int) {
	if depth > 8 {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			addJSONFields(ft, m, depth+1)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, taken := m[name]; !taken {
			m[name] = f.Type
		}
	}
}

// goTypeAt returns the type of the value at a dotted field path (as encoding/json names
// fields in errors) inside t, looking through pointers, lists and maps; nil when a name does
// not resolve.
func goTypeAt(t reflect.Type, names []string) reflect.Type {
	for _, name := range names {
		t = elemType(t)
		switch t.Kind() {
		case reflect.Struct:
			ft, ok := jsonFields(t)[name]
			if !ok {
				return nil
			}
			t = ft
		case reflect.Map:
			t = t.Elem()
		default:
			return nil
		}
	}
	return t
}

// elemType strips pointers and lists.
func elemType(t reflect.Type) reflect.Type {
	for i := 0; i < 32; i++ {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
				return t
			}
			t = t.Elem()
		default:
			return t
		}
	}
	return t
}
