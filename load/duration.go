package load

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
)

const durationType = "google.protobuf.Duration"

// normalizeDurations rewrites Go-style duration strings ("500ms", "1m30s", "24h") in fields of
// type google.protobuf.Duration into the form protojson reads ("0.5s", "90s", "86400s"). Istio
// decodes its specs with the older jsonpb, which accepts both, and its docs use the Go form; a
// loader that refused them would refuse valid Istio config. It returns raw unchanged, and false,
// when no duration needed rewriting or raw is not JSON the walk understands.
func normalizeDurations(raw []byte, md protoreflect.MessageDescriptor) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep numbers exactly as written
	var v any
	if err := dec.Decode(&v); err != nil {
		return raw, false
	}
	if !rewriteDurations(v, md) {
		return raw, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		return raw, false
	}
	return out, true
}

// rewriteDurations walks v (a decoded JSON object of message md) and rewrites duration strings
// in place. It reports whether it changed anything.
func rewriteDurations(v any, md protoreflect.MessageDescriptor) bool {
	obj, ok := v.(map[string]any)
	if !ok {
		return false
	}
	changed := false
	for k, val := range obj {
		fd := md.Fields().ByJSONName(k)
		if fd == nil {
			fd = md.Fields().ByName(protoreflect.Name(k))
		}
		if fd == nil || fd.Message() == nil {
			continue
		}
		if fd.IsMap() {
			if fd.MapValue().Message() == nil {
				continue
			}
			if m, ok := val.(map[string]any); ok {
				for mk, mv := range m {
					if nv, ok := rewriteValue(mv, fd.MapValue().Message()); ok {
						m[mk], changed = nv, true
					}
				}
			}
			continue
		}
		if fd.IsList() {
			if l, ok := val.([]any); ok {
				for i, e := range l {
					if nv, ok := rewriteValue(e, fd.Message()); ok {
						l[i], changed = nv, true
					}
				}
			}
			continue
		}
		if nv, ok := rewriteValue(val, fd.Message()); ok {
			obj[k], changed = nv, true
		}
	}
	return changed
}

// rewriteValue rewrites one value of message type md: a duration string itself, or the
// durations inside a nested message (which it edits in place, returning v).
func rewriteValue(v any, md protoreflect.MessageDescriptor) (any, bool) {
	if md.FullName() == durationType {
		s, ok := v.(string)
		if !ok {
			return v, false
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return v, false // left for protojson to refuse, with the field named
		}
		// Istio reads durations with Go's parser, to the nanosecond; write exactly that.
		norm := strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
		return norm, norm != s
	}
	return v, rewriteDurations(v, md)
}
