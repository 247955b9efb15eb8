package model

import "fmt"

// ObjectRef names a Kubernetes object. APIVersion is kept as written in the source, because
// several Istio versions share one schema and users want to see the one they wrote.
type ObjectRef struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// String renders the reference as Kind namespace/name (or Kind name for cluster objects).
func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Less orders references by kind, namespace, name.
func (r ObjectRef) Less(o ObjectRef) bool {
	if r.Kind != o.Kind {
		return r.Kind < o.Kind
	}
	if r.Namespace != o.Namespace {
		return r.Namespace < o.Namespace
	}
	if r.Name != o.Name {
		return r.Name < o.Name
	}
	return r.APIVersion < o.APIVersion
}

// Location says where an object was read from. It is empty for objects read from a cluster.
type Location struct {
	File string `json:"file,omitempty"`
	// Doc is the 1-based index of the YAML document in File (0 when unknown).
	Doc int `json:"doc,omitempty"`
	// Line is the 1-based line where the document starts (0 when unknown).
	Line int `json:"line,omitempty"`
}

// String renders file:line (document N), leaving out what is unknown.
func (l Location) String() string {
	if l.File == "" {
		return ""
	}
	s := l.File
	if l.Line > 0 {
		s = fmt.Sprintf("%s:%d", s, l.Line)
	}
	if l.Doc > 0 {
		s = fmt.Sprintf("%s (document %d)", s, l.Doc)
	}
	return s
}

// Origin is the source object of a model element, and where it was read from.
type Origin struct {
	Object ObjectRef `json:"object"`
	At     Location  `json:"at,omitempty"`
}

// String renders the object and, when known, its location.
func (o Origin) String() string {
	if at := o.At.String(); at != "" {
		return o.Object.String() + " (" + at + ")"
	}
	return o.Object.String()
}
