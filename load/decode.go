package load

import (
	"encoding/json"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
)

// Stage is the model.Finding stage of every finding the loader reports.
const Stage = "load"

// Decode reads one file's bytes into inv. file names the source in locations, findings and
// errors. It returns the findings of the file, and a *Error for bad input, in which case inv
// holds the objects read before the error and should not be used.
//
// Objects already in inv (from earlier files) count when looking for duplicates. Decode does
// not sort inv; Load does once all files are read.
func Decode(inv *inventory.Inventory, file string, data []byte, opts Options) (model.Findings, error) {
	opts = opts.withDefaults()
	docs, err := splitDocuments(file, data)
	if err != nil {
		return nil, err
	}
	var fs model.Findings
	for _, d := range docs {
		if err := decodeDocument(inv, d, opts, &fs); err != nil {
			return fs, err
		}
	}
	return fs, nil
}

func decodeDocument(inv *inventory.Inventory, d *document, opts Options, fs *model.Findings) error {
	j, h, err := d.toJSON()
	if err != nil {
		return err
	}
	o := &object{
		doc: d, json: j, head: h, opts: opts, findings: fs,
		at: model.Location{File: d.file, Doc: d.index, Line: d.line},
	}
	switch k := firstKind(j); k {
	case jsonNull:
		return nil // a document such as "~": nothing to read
	case jsonObject:
		return o.read(inv)
	default:
		return o.fail(nil, "not a Kubernetes object: got %s, want a mapping with apiVersion and kind", k.describe())
	}
}

// object is one object being read: a document, or an item of a List.
type object struct {
	doc      *document
	json     []byte
	head     *header   // the header fields when already known, else nil
	prefix   fieldPath // items[i] for the items of a List, from the document root
	at       model.Location
	ref      model.ObjectRef // as far as known
	opts     Options
	findings *model.Findings

	// defaults for the items of a typed list (ServiceList), which may leave out apiVersion and kind
	defaultAPIVersion, defaultKind string
}

// header is what every object is read for first.
type header struct {
	APIVersion json.RawMessage `json:"apiVersion"`
	Kind       json.RawMessage `json:"kind"`
	Metadata   json.RawMessage `json:"metadata"`
	Items      json.RawMessage `json:"items"`
}

// read decodes the object and stores it in inv, or reports it as ignored.
func (o *object) read(inv *inventory.Inventory) error {
	var h header
	if o.head != nil {
		h = *o.head
	} else if err := sigsjson.UnmarshalCaseSensitivePreserveInts(o.json, &h); err != nil {
		return o.fail(nil, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	apiVersion, err := o.stringField(h.APIVersion, "apiVersion")
	if err != nil {
		return err
	}
	kind, err := o.stringField(h.Kind, "kind")
	if err != nil {
		return err
	}
	if apiVersion == "" && kind == "" && o.defaultKind != "" {
		apiVersion, kind = o.defaultAPIVersion, o.defaultKind
	}
	o.ref = model.ObjectRef{APIVersion: apiVersion, Kind: kind}
	o.ref.Namespace, o.ref.Name = sniffMetadata(h.Metadata)
	switch {
	case apiVersion == "" && kind == "":
		return o.fail(nil, "missing apiVersion and kind")
	case apiVersion == "":
		return o.fail(fieldPath{}.field("apiVersion"), "missing")
	case kind == "":
		return o.fail(fieldPath{}.field("kind"), "missing")
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil || gv.Version == "" {
		return o.fail(fieldPath{}.field("apiVersion"), "invalid value %q: want group/version, or v1 for the core group", apiVersion)
	}
	if kind == "List" || strings.HasSuffix(kind, "List") && len(h.Items) > 0 {
		return o.readList(inv, h.Items)
	}

	k := kindIndex[schema.GroupKind{Group: gv.Group, Kind: kind}]
	if k == nil {
		o.ignore(gv.Group)
		return nil
	}
	if k.scope == namespaced && o.ref.Namespace == "" {
		o.ref.Namespace = o.opts.Namespace
	}
	if k.scope == clusterScoped {
		o.ref.Namespace = ""
	}
	if !k.served(gv.Version) {
		return o.fail(fieldPath{}.field("apiVersion"), "%s is not a served version of %s: want %s", apiVersion, kind, k.apiVersions())
	}

	obj, err := k.decode(o)
	if err != nil {
		return err
	}
	obj.GetObjectKind().SetGroupVersionKind(gv.WithKind(kind))
	switch {
	case k.scope == clusterScoped:
		obj.SetNamespace("")
	case obj.GetNamespace() == "":
		obj.SetNamespace(o.opts.Namespace)
	}
	o.ref.Namespace, o.ref.Name = obj.GetNamespace(), obj.GetName()
	if obj.GetName() == "" {
		return o.fail(fieldPath{}.field("metadata").field("name"), "missing: every object needs a name")
	}
	o.store(inv, k, obj)
	return nil
}

// store adds obj to inv, replacing an earlier object of the same kind, namespace and name, as
// kubectl apply would, and reporting the duplicate.
func (o *object) store(inv *inventory.Inventory, k *kindInfo, obj typedObject) {
	prevAt, dup := inv.Locations[inventory.Key(o.ref)]
	replaced := k.store(inv, obj, dup)
	inv.SetLocation(o.ref, o.at)
	if !dup {
		return
	}
	first, again := "", ""
	if replaced != nil {
		if v := replaced.GetObjectKind().GroupVersionKind().GroupVersion().String(); v != o.ref.APIVersion {
			first, again = " as "+v, " as "+o.ref.APIVersion
		}
	}
	o.findings.Add(Stage, model.CodeDuplicateObject, o.origin(), "",
		"defined twice: first%s at %s, again%s at %s; the later definition wins",
		first, locationOrUnknown(prevAt), again, o.at)
}

func locationOrUnknown(l model.Location) string {
	if s := l.String(); s != "" {
		return s
	}
	return "an unknown place"
}

// readList reads the items of a List (kind List, or a typed list such as ServiceList).
func (o *object) readList(inv *inventory.Inventory, raw json.RawMessage) error {
	itemsPath := fieldPath{}.field("items")
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var items []json.RawMessage
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(raw, &items); err != nil {
		return o.fail(itemsPath, "got %s, want a list of objects", firstKind(raw).describe())
	}
	var defAPIVersion, defKind string
	if o.ref.Kind != "List" {
		defAPIVersion, defKind = o.ref.APIVersion, strings.TrimSuffix(o.ref.Kind, "List")
	}
	for i, item := range items {
		p := o.prefix.field("items").idx(i)
		it := &object{
			doc: o.doc, json: item, prefix: p, opts: o.opts, findings: o.findings,
			at:                model.Location{File: o.doc.file, Doc: o.doc.index, Line: o.doc.lineOf(p)},
			defaultAPIVersion: defAPIVersion, defaultKind: defKind,
		}
		if k := firstKind(item); k != jsonObject {
			return it.fail(nil, "got %s, want an object", k.describe())
		}
		if err := it.read(inv); err != nil {
			return err
		}
	}
	return nil
}

// ignore reports an object of a kind the loader does not read.
func (o *object) ignore(group string) {
	msg := fmt.Sprintf("%s (%s) is not a kind meshbridge reads; skipped", o.ref.Kind, o.ref.APIVersion)
	if s := similarKind(group, o.ref.Kind); s != "" {
		msg += fmt.Sprintf("; did you mean %s? Kinds are case-sensitive", s)
	}
	o.findings.Add(Stage, model.CodeIgnoredKind, o.origin(), "", "%s", msg)
}

// origin is the object's origin for findings.
func (o *object) origin() model.Origin { return model.Origin{Object: o.ref, At: o.at} }

// warnUnknown reports a field that is not part of the object's schema.
func (o *object) warnUnknown(field string) {
	o.findings.Add(Stage, model.CodeUnknownField, o.origin(), field,
		"not a field of %s %s; ignored", o.ref.APIVersion, o.ref.Kind)
}

// stringField reads a top-level string such as apiVersion; absent and null read as "".
func (o *object) stringField(raw json.RawMessage, name string) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		if k := firstKind(raw); k == jsonObject || k == jsonArray {
			return "", o.fail(fieldPath{}.field(name), "got %s, want a string", k.describe())
		}
		return "", o.fail(fieldPath{}.field(name), "invalid value %s: want a string", truncate(string(raw), 60))
	}
	return s, nil
}

// sniffMetadata returns the namespace and name when they are strings, for messages about
// objects that are not (or not yet) decoded.
func sniffMetadata(raw json.RawMessage) (namespace, name string) {
	var m struct {
		Namespace json.RawMessage `json:"namespace"`
		Name      json.RawMessage `json:"name"`
	}
	if sigsjson.UnmarshalCaseSensitivePreserveInts(raw, &m) != nil {
		return "", ""
	}
	_ = json.Unmarshal(m.Namespace, &namespace)
	_ = json.Unmarshal(m.Name, &name)
	return namespace, name
}

// fail builds the error for the field at p, relative to the object. The field is printed
// relative to the object when the object is known, else from the document root.
func (o *object) fail(p fieldPath, format string, args ...any) *Error {
	full := append(append(fieldPath{}, o.prefix...), p...)
	e := &Error{
		File: o.doc.file, Doc: o.doc.index, Line: o.at.Line,
		Object: o.ref, Field: p.String(),
		Msg: fmt.Sprintf(format, args...),
	}
	if len(full) > 0 {
		e.Line = o.doc.lineOf(full)
	}
	if o.ref.Kind == "" {
		e.Field = full.String()
	}
	return e
}

// firstKind says what kind of JSON value data holds, from its first byte.
func firstKind(data []byte) jsonKind {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return jsonObject
		case '[':
			return jsonArray
		case '"':
			return jsonString
		case 't', 'f':
			return jsonBool
		case 'n':
			return jsonNull
		default:
			return jsonNumber
		}
	}
	return jsonNull
}
