package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsjson "sigs.k8s.io/json"

	"github.com/meshbridge/meshbridge/model"
)

// decodeStrict decodes the object's JSON into v case-sensitively, as the API server does.
// Unknown fields are reported and skipped; a value of the wrong type is an error naming the
// field.
func (o *object) decodeStrict(v any) error {
	strict, err := sigsjson.UnmarshalStrict(o.json, v)
	if err != nil {
		return o.jsonError(err, v)
	}
	for _, e := range strict {
		var fe sigsjson.FieldError
		if !errors.As(e, &fe) {
			return o.fail(nil, "%s", e)
		}
		if !strings.HasPrefix(e.Error(), "unknown field") {
			// Duplicate keys: go-yaml refuses them before this point, so this is unexpected.
			return o.fail(nil, "%s", e)
		}
		o.warnUnknown(fe.FieldPath())
	}
	return nil
}

// jsonError turns an encoding/json error into an *Error naming the field.
func (o *object) jsonError(err error, v any) *Error {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	tree, perr := parseJSON(o.json)
	if perr != nil {
		return o.fail(nil, "%s", msg)
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Type == nil {
		// An UnmarshalJSON method failed; such errors carry no position.
		if p, ok := unmarshalerPath(o.json, tree, reflect.TypeOf(v), err.Error()); ok {
			if n := tree.at(p); n != nil && n.kind != jsonObject && n.kind != jsonArray {
				msg = "invalid value " + n.raw(o.json) + ": " + msg
			}
			return o.fail(p, "%s", msg)
		}
		return o.fail(nil, "%s", msg)
	}
	p, typ, ok := typeErrorPath(o.json, tree, te, reflect.TypeOf(v))
	if n := tree.at(p); ok && n != nil {
		return o.fail(p, "%s", badValue(o.json, n, wantGo(typ, o.json, n)))
	}
	return o.fail(nil, "%s", msg)
}

// typeErrorPath finds the value a type error is about. The offset is trusted when the path
// there matches the error's dotted field (which has no list indexes); it does not when the
// error came from a json.Unmarshal nested in an UnmarshalJSON method, whose offsets count from
// the start of that value. Then the first value at the dotted field that does not decode into
// the type of that field in root (an IntOrString, say, rather than the int32 inside it) is
// taken.
func typeErrorPath(data []byte, tree *jsonNode, te *json.UnmarshalTypeError, root reflect.Type) (fieldPath, reflect.Type, bool) {
	if p, ok := tree.find(int(te.Offset) - 1); ok && dotted(p) == te.Field {
		return p, te.Type, true
	}
	if te.Field == "" {
		return nil, nil, false
	}
	want := te.Type
	if t := goTypeAt(root, strings.Split(te.Field, ".")); t != nil {
		want = t
	}
	var found fieldPath
	var walk func(n *jsonNode, p fieldPath, d string)
	walk = func(n *jsonNode, p fieldPath, d string) {
		if found != nil {
			return
		}
		if d == te.Field {
			if sigsjson.UnmarshalCaseSensitivePreserveInts(data[n.start:n.end], reflect.New(want).Interface()) != nil {
				found = p
			}
			return
		}
		if d != "" && !strings.HasPrefix(te.Field, d+".") {
			return
		}
		for i, k := range n.kids {
			switch {
			case n.kind == jsonArray:
				walk(k, p.idx(i), d)
			case d == "":
				walk(k, p.field(k.key), k.key)
			default:
				walk(k, p.field(k.key), d+"."+k.key)
			}
		}
	}
	walk(tree, nil, "")
	return found, want, found != nil
}

// dotted renders a path as encoding/json names fields in errors: keys joined by dots.
func dotted(p fieldPath) string {
	var keys []string
	for _, s := range p {
		if !s.isIdx {
			keys = append(keys, s.key)
		}
	}
	return strings.Join(keys, ".")
}

// wantGo describes what a Go type accepts, for messages.
func wantGo(t reflect.Type, data []byte, n *jsonNode) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.PkgPath() + "." + t.Name() {
	case "k8s.io/apimachinery/pkg/util/intstr.IntOrString":
		return "an integer or a string"
	case "k8s.io/apimachinery/pkg/api/resource.Quantity":
		return "a quantity such as 500m or 1Gi"
	case "k8s.io/apimachinery/pkg/apis/meta/v1.Time":
		return "an RFC 3339 time"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.kind == jsonNumber && !strings.ContainsAny(n.raw(data), ".eE") {
			return "an integer that fits in " + t.Kind().String()
		}
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.String()
}

// badValue says a value was not what was wanted: invalid value "abc": want an integer; or, for
// objects and lists, got a list, want a string.
func badValue(data []byte, n *jsonNode, want string) string {
	switch n.kind {
	case jsonObject, jsonArray:
		return fmt.Sprintf("got %s, want %s", n.kind.describe(), want)
	}
	return fmt.Sprintf("invalid value %s: want %s", n.raw(data), want)
}

// at returns the node at path p (made of keys and indexes only), or nil.
func (n *jsonNode) at(p fieldPath) *jsonNode {
	for _, s := range p {
		var next *jsonNode
		switch {
		case s.isIdx && n.kind == jsonArray && s.index < len(n.kids):
			next = n.kids[s.index]
		case !s.isIdx && n.kind == jsonObject:
			for _, k := range n.kids {
				if k.key == s.key {
					next = k
				}
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// istioShadow is an Istio object with its spec kept raw: metadata decodes with the Kubernetes
// machinery, the spec with protojson.
type istioShadow struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        *metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec            json.RawMessage    `json:"spec,omitempty"`
	Status          json.RawMessage    `json:"status,omitempty"`
}

// decodeIstio decodes an Istio object: metadata into obj's ObjectMeta, the spec into spec.
// The status is not read: it is written by Istio, not by the user.
func (o *object) decodeIstio(obj typedObject, spec proto.Message) error {
	acc, ok := obj.(metav1.ObjectMetaAccessor)
	if !ok {
		return o.fail(nil, "internal error: %T has no ObjectMeta", obj)
	}
	meta, ok := acc.GetObjectMeta().(*metav1.ObjectMeta)
	if !ok {
		return o.fail(nil, "internal error: %T has no ObjectMeta", obj)
	}
	sh := istioShadow{Metadata: meta}
	if err := o.decodeStrict(&sh); err != nil {
		return err
	}
	return o.decodeSpec(sh.Spec, spec)
}

var (
	strictProto  = protojson.UnmarshalOptions{}
	lenientProto = protojson.UnmarshalOptions{DiscardUnknown: true}
)

// decodeSpec decodes an Istio spec with protojson, which accepts both proto names (not_paths)
// and JSON names (notPaths). It decodes strictly first; only when that fails does it walk the
// spec against the schema (see checkSpec) to name every unknown field, which it reports, and
// the first bad value, which is an error. Unknown fields are then skipped.
func (o *object) decodeSpec(raw json.RawMessage, msg proto.Message) error {
	base := fieldPath{}.field("spec")
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	strictErr := strictProto.Unmarshal(raw, msg)
	if strictErr != nil {
		// Go-style durations ("500ms") are valid Istio but not protojson; rewrite and retry.
		if norm, ok := normalizeDurations(raw, msg.ProtoReflect().Descriptor()); ok {
			raw = norm
			proto.Reset(msg)
			strictErr = strictProto.Unmarshal(raw, msg)
		}
	}
	if strictErr == nil {
		return o.checkEnums(msg.ProtoReflect(), base)
	}
	tree, err := parseJSON(raw)
	if err != nil {
		return o.fail(base, "%s", protoMessage(strictErr))
	}
	c := checkSpec(raw, tree, msg.ProtoReflect().Descriptor(), base)
	for _, p := range c.unknown {
		o.warnUnknown(p.String())
	}
	if c.problem != nil {
		return o.fail(c.problem.path, "%s", c.problem.msg)
	}
	proto.Reset(msg)
	if err := lenientProto.Unmarshal(raw, msg); err != nil {
		// The schema walk saw nothing wrong, but protojson did: name the field by position.
		return o.fail(protoErrorPath(raw, tree, err, base), "%s", protoMessage(err))
	}
	if len(c.unknown) == 0 {
		// protojson refused something the walk did not see as unknown; say what it was.
		o.findings.Add(Stage, model.CodeUnknownField, o.origin(), protoErrorPath(raw, tree, strictErr, base).String(),
			"%s; ignored", protoMessage(strictErr))
	}
	return o.checkEnums(msg.ProtoReflect(), base)
}

var protoPosRE = regexp.MustCompile(`\(line (\d+):(\d+)\): `)

// protoErrorPath finds the field at the position a protojson error gives.
func protoErrorPath(raw []byte, tree *jsonNode, err error, base fieldPath) fieldPath {
	m := protoPosRE.FindStringSubmatch(err.Error())
	if m == nil {
		return base
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	off := 0
	for l := 1; l < line && off < len(raw); off++ {
		if raw[off] == '\n' {
			l++
		}
	}
	for c := 1; c < col && off < len(raw); c++ { // protojson counts columns in runes
		_, size := utf8.DecodeRune(raw[off:])
		off += size
	}
	if p, ok := tree.find(off); ok {
		return append(append(fieldPath{}, base...), p...)
	}
	return base
}

// protoMessage strips protojson's prefix and position from its error message.
func protoMessage(err error) string {
	s := strings.TrimPrefix(err.Error(), "proto:")
	s = strings.TrimSpace(s)
	if loc := protoPosRE.FindStringIndex(s); loc != nil {
		s = strings.TrimSpace(s[:loc[0]]) + " " + s[loc[1]:]
	}
	return strings.TrimSpace(oneLine(s))
}

// checkEnums refuses enum values that are numbers with no name in the schema. protojson
// accepts them, but an API server would not, and an unknown AuthorizationPolicy action must
// never be read as the default (ALLOW).
//
// Only the parts of the schema that can hold an enum are walked (see holdsEnum): most of an
// Istio spec holds none, and this check runs on every object.
func (o *object) checkEnums(m protoreflect.Message, at fieldPath) error {
	if !holdsEnum(m.Descriptor()) {
		return nil
	}
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if !fieldHoldsEnum(fd) {
			return true
		}
		p := at.field(fd.JSONName())
		switch {
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len() && err == nil; i++ {
				err = o.checkEnumValue(fd, l.Get(i), p.idx(i))
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				err = o.checkEnumValue(fd.MapValue(), mv, p.mapKey(k.String()))
				return err == nil
			})
		default:
			err = o.checkEnumValue(fd, v, p)
		}
		return err == nil
	})
	return err
}

func (o *object) checkEnumValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, p fieldPath) error {
	switch {
	case fd.Enum() != nil:
		if fd.Enum().Values().ByNumber(v.Enum()) == nil {
			return o.fail(p, "invalid value %d: want %s", v.Enum(), wantProto(fd))
		}
	case fd.Message() != nil:
		return o.checkEnums(v.Message(), p)
	}
	return nil
}

// enumHolders caches holdsEnum by message name.
var enumHolders sync.Map // protoreflect.FullName -> bool

// holdsEnum says whether a message of type md can hold an enum value anywhere inside it.
func holdsEnum(md protoreflect.MessageDescriptor) bool {
	if v, ok := enumHolders.Load(md.FullName()); ok {
		return v.(bool)
	}
	// Walk every message type reachable from md; types may be recursive, so the answer is
	// known only for md itself once the walk is done.
	seen := map[protoreflect.FullName]bool{}
	var reaches func(md protoreflect.MessageDescriptor) bool
	reaches = func(md protoreflect.MessageDescriptor) bool {
		if seen[md.FullName()] {
			return false
		}
		seen[md.FullName()] = true
		fields := md.Fields()
		for i := 0; i < fields.Len(); i++ {
			fd := fields.Get(i)
			if fd.Enum() != nil || fd.Message() != nil && reaches(fd.Message()) {
				return true
			}
		}
		return false
	}
	holds := reaches(md)
	enumHolders.Store(md.FullName(), holds)
	return holds
}

// fieldHoldsEnum says whether a field's values (a map's values, a list's elements) can be or
// hold an enum.
func fieldHoldsEnum(fd protoreflect.FieldDescriptor) bool {
	if fd.IsMap() {
		fd = fd.MapValue()
	}
	return fd.Enum() != nil || fd.Message() != nil && holdsEnum(fd.Message())
}
