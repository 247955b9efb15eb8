package load

import (
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// checkSpec walks a spec's JSON against its protobuf schema, in input order, collecting every
// unknown field and stopping at the first value protojson would refuse (or an enum number
// with no name). It exists because protojson names neither the path of a problem nor more
// than the first unknown field.
//
// The walk decides structure itself (objects, lists, maps, field names, oneofs, duplicates)
// and asks protojson about each leaf value by decoding just that field, so that it accepts
// exactly what protojson accepts: numbers given as strings, well-known types such as
// google.protobuf.Duration and the wrappers, and so on. It runs only on the error path.
func checkSpec(data []byte, n *jsonNode, md protoreflect.MessageDescriptor, at fieldPath) *specCheck {
	c := &specCheck{data: data}
	if isPlainMessage(md) {
		c.message(n, md, at)
	}
	return c
}

type specCheck struct {
	data    []byte
	unknown []fieldPath
	problem *specProblem
}

type specProblem struct {
	path fieldPath
	msg  string
}

func (c *specCheck) fail(p fieldPath, format string, args ...any) {
	if c.problem == nil {
		c.problem = &specProblem{path: p, msg: fmt.Sprintf(format, args...)}
	}
}

func (c *specCheck) message(n *jsonNode, md protoreflect.MessageDescriptor, at fieldPath) {
	if n.kind != jsonObject {
		c.fail(at, "%s", badValue(c.data, n, "an object"))
		return
	}
	seen := map[protoreflect.FieldNumber]string{}
	seenOneof := map[protoreflect.FullName]string{}
	fields := md.Fields()
	for _, m := range n.kids {
		if c.problem != nil {
			return
		}
		p := at.field(m.key)
		fd := fields.ByJSONName(m.key)
		if fd == nil {
			fd = fields.ByTextName(m.key)
		}
		if fd == nil {
			c.unknown = append(c.unknown, p)
			continue
		}
		if prev, ok := seen[fd.Number()]; ok {
			c.fail(p, "given twice, also as %s", prev)
			return
		}
		seen[fd.Number()] = m.key
		if m.kind == jsonNull && !acceptsNull(fd) {
			continue // protojson leaves the field unset
		}
		if od := fd.ContainingOneof(); od != nil && !fd.IsList() && !fd.IsMap() {
			if prev, ok := seenOneof[od.FullName()]; ok {
				c.fail(p, "%s is set too: only one of %s may be set", prev, oneofFields(od))
				return
			}
			seenOneof[od.FullName()] = m.key
		}
		c.field(md, fd, m, p)
	}
}

func (c *specCheck) field(md protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor, n *jsonNode, p fieldPath) {
	key := string(c.data[n.keyStart:n.start]) // `"name":` as written, up to the value
	switch {
	case fd.IsMap():
		if n.kind != jsonObject {
			c.fail(p, "%s", badValue(c.data, n, "an object"))
			return
		}
		for _, e := range n.kids {
			if c.problem != nil {
				return
			}
			ep := p.mapKey(e.key)
			entryKey := string(c.data[e.keyStart:e.start])
			if isPlainMessage(fd.MapValue().Message()) && e.kind == jsonObject {
				if !c.accepts(md, wrap(key, "{", entryKey, "{}}")) {
					c.fail(ep, "invalid key %s: want %s", strconv.Quote(e.key), wantProto(fd.MapKey()))
					return
				}
				c.message(e, fd.MapValue().Message(), ep)
				continue
			}
			c.leaf(md, fd.MapValue(), wrap(key, "{", entryKey, c.text(e), "}"), e, ep)
		}
	case fd.IsList():
		if n.kind != jsonArray {
			c.fail(p, "%s", badValue(c.data, n, "a list"))
			return
		}
		for i, e := range n.kids {
			if c.problem != nil {
				return
			}
			if isPlainMessage(fd.Message()) && e.kind == jsonObject {
				c.message(e, fd.Message(), p.idx(i))
				continue
			}
			c.leaf(md, fd, wrap(key, "[", c.text(e), "]"), e, p.idx(i))
		}
	case isPlainMessage(fd.Message()):
		c.message(n, fd.Message(), p)
	default:
		c.leaf(md, fd, wrap(key, c.text(n)), n, p)
	}
}

// leaf checks one scalar or well-known-type value by decoding {"field": value} (wrapped) into
// an empty message of type md.
func (c *specCheck) leaf(md protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor, wrapped []byte, n *jsonNode, p fieldPath) {
	if !c.accepts(md, wrapped) {
		c.fail(p, "%s", badValue(c.data, n, wantProto(fd)))
		return
	}
	if ed := fd.Enum(); ed != nil && n.kind == jsonNumber {
		if v, err := strconv.ParseInt(c.text(n), 10, 32); err != nil || ed.Values().ByNumber(protoreflect.EnumNumber(v)) == nil {
			c.fail(p, "%s", badValue(c.data, n, wantProto(fd)))
		}
	}
}

func (c *specCheck) accepts(md protoreflect.MessageDescriptor, wrapped []byte) bool {
	return protojson.Unmarshal(wrapped, dynamicpb.NewMessage(md)) == nil
}

func (c *specCheck) text(n *jsonNode) string { return string(c.data[n.start:n.end]) }

// wrap builds {<parts>}, where the first part is a member's `"name":` as written.
func wrap(parts ...string) []byte {
	return []byte("{" + strings.Join(parts, "") + "}")
}

// acceptsNull says whether null is a value of the field rather than "unset".
func acceptsNull(fd protoreflect.FieldDescriptor) bool {
	if m := fd.Message(); m != nil && m.FullName() == "google.protobuf.Value" {
		return true
	}
	return fd.Enum() != nil && fd.Enum().FullName() == "google.protobuf.NullValue"
}

// isPlainMessage says whether md is a message the walk descends into: any message but the
// well-known types, which have their own JSON forms and are checked as leaves.
func isPlainMessage(md protoreflect.MessageDescriptor) bool {
	return md != nil && !strings.HasPrefix(string(md.FullName()), "google.protobuf.")
}

func oneofFields(od protoreflect.OneofDescriptor) string {
	var names []string
	for i := 0; i < od.Fields().Len(); i++ {
		names = append(names, od.Fields().Get(i).JSONName())
	}
	return strings.Join(names, ", ")
}

// wantProto describes what a field accepts, for messages.
func wantProto(fd protoreflect.FieldDescriptor) string {
	if m := fd.Message(); m != nil {
		switch m.FullName() {
		case "google.protobuf.Duration":
			return `a duration such as "1.5s"`
		case "google.protobuf.Timestamp":
			return "an RFC 3339 timestamp"
		case "google.protobuf.Struct":
			return "an object"
		case "google.protobuf.ListValue":
			return "a list"
		case "google.protobuf.Value":
			return "a JSON value"
		case "google.protobuf.FieldMask":
			return "a string of field paths"
		case "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue",
			"google.protobuf.Int32Value", "google.protobuf.Int64Value", "google.protobuf.UInt32Value",
			"google.protobuf.UInt64Value", "google.protobuf.FloatValue", "google.protobuf.DoubleValue":
			if v := m.Fields().ByName("value"); v != nil {
				return wantProto(v)
			}
		}
		return "an object"
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return "true or false"
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return "an integer"
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return "a non-negative integer"
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return "a number"
	case protoreflect.StringKind:
		return "a string"
	case protoreflect.BytesKind:
		return "base64-encoded bytes"
	case protoreflect.EnumKind:
		return "one of " + enumNames(fd.Enum())
	}
	return fd.Kind().String()
}

func enumNames(ed protoreflect.EnumDescriptor) string {
	var names []string
	vals := ed.Values()
	for i := 0; i < vals.Len(); i++ {
		names = append(names, string(vals.Get(i).Name()))
	}
	if len(names) > 12 {
		names = append(names[:12], "…")
	}
	return strings.Join(names, ", ")
}
