package istio

import (
	"slices"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/meshbridge/meshbridge/model"
)

// rest reports every populated field of msg that is not in handled (JSON field names) as not
// translated. Walking the message instead of listing unsupported fields by hand means a field
// added to Istio's API later is reported, never dropped in silence.
func (r *reader) rest(origin model.Origin, field string, msg proto.Message, handled ...string) {
	if msg == nil {
		return
	}
	var names []string
	msg.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		if !slices.Contains(handled, fd.JSONName()) {
			names = append(names, fd.JSONName())
		}
		return true
	})
	slices.Sort(names) // Range order is not guaranteed.
	for _, n := range names {
		r.report(model.CodeFieldNotTranslated, origin, field+"."+n, "field is not translated")
	}
}
