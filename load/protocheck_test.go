package load

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	apinetworking "istio.io/api/networking/v1alpha3"
	apisecurity "istio.io/api/security/v1beta1"
)

// specMessages are the schemas the differential test checks the walk against.
var specMessages = []func() proto.Message{
	func() proto.Message { return &apinetworking.VirtualService{} },
	func() proto.Message { return &apisecurity.AuthorizationPolicy{} },
	func() proto.Message { return &apinetworking.DestinationRule{} },
}

func TestCheckSpec(t *testing.T) {
	vs := specMessages[0]
	for _, tc := range []struct {
		name, spec string
		unknown    []string
		problem    string // "path: message"
	}{
		{"a valid spec has neither unknown fields nor problems",
			`{"hosts":["a"],"http":[{"route":[{"destination":{"host":"a"},"weight":"5"}],"timeout":"1s"}]}`, nil, ""},
		{"every unknown field is collected until the first problem",
			`{"hostz":1,"http":[{"a":1,"route":[{"b":{"c":1},"weight":"x"}],"z":1}]}`,
			[]string{"spec.hostz", "spec.http[0].a", "spec.http[0].route[0].b"},
			`spec.http[0].route[0].weight: invalid value "x": want an integer`},
		{"null leaves a field unset, as in protojson",
			`{"hosts":null,"http":[{"route":null}]}`, nil, ""},
		{"null inside a list is refused",
			`{"hosts":["a",null]}`, nil, `spec.hosts[1]: invalid value null: want a string`},
		{"a message where a scalar is wanted is refused",
			`{"http":[{"route":[{"weight":{"a":1}}]}]}`, nil, `spec.http[0].route[0].weight: got an object, want an integer`},
		{"an integer too large for its field is refused",
			`{"http":[{"route":[{"weight":4294967296}]}]}`, nil, `spec.http[0].route[0].weight: invalid value 4294967296: want an integer`},
		{"a message-valued map entry is walked into",
			`{"http":[{"match":[{"headers":{"x-a":{"exakt":"b"},"x-b":{"prefix":1}}}]}]}`,
			[]string{"spec.http[0].match[0].headers[x-a].exakt"}, `spec.http[0].match[0].headers[x-b].prefix: invalid value 1: want a string`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.spec)
			tree, err := parseJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			c := checkSpec(data, tree, vs().ProtoReflect().Descriptor(), fieldPath{}.field("spec"))
			var unknown []string
			for _, p := range c.unknown {
				unknown = append(unknown, p.String())
			}
			if strings.Join(unknown, " ") != strings.Join(tc.unknown, " ") {
				t.Errorf("unknown %q, want %q", unknown, tc.unknown)
			}
			problem := ""
			if c.problem != nil {
				problem = c.problem.path.String() + ": " + c.problem.msg
			}
			if problem != tc.problem {
				t.Errorf("problem %q, want %q", problem, tc.problem)
			}
		})
	}
}

// FuzzCheckSpec checks the schema walk against protojson itself: a spec protojson accepts
// strictly has no unknown fields and no problems but enum numbers without names; a spec the
// walk finds clean is accepted strictly; one it finds no problem in is accepted leniently.
func FuzzCheckSpec(f *testing.F) {
	for _, s := range []string{
		`{"hosts":["a"],"http":[{"route":[{"destination":{"host":"a","port":{"number":80}},"weight":"5"}],"timeout":"1s","retries":{"attempts":3}}]}`,
		`{"http":[{"match":[{"uri":{"exact":"a"},"headers":{"x":{"regex":"a"}}}],"corsPolicy":{"allowCredentials":true}}]}`,
		`{"action":"DENY","rules":[{"from":[{"source":{"not_principals":["a"]}}],"to":[{"operation":{"ports":["80"]}}],"when":[{"key":"k","values":["v"]}]}]}`,
		`{"selector":{"matchLabels":{"a":"b"}},"action":1}`,
		`{"host":"a","trafficPolicy":{"connectionPool":{"tcp":{"maxConnections":1,"connectTimeout":"1s"}},"tls":{"mode":"ISTIO_MUTUAL"}},"subsets":[{"name":"v1","labels":{"v":"1"}}]}`,
		`{"http":[{"mirrorPercentage":{"value":1.5},"fault":{"delay":{"fixedDelay":"1s","percentage":{"value":"NaN"}}}}]}`,
	} {
		for i := range specMessages {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		// The loader's JSON comes from json.Marshal: it is always valid JSON and UTF-8.
		if !utf8.Valid(data) || !json.Valid(data) {
			return
		}
		tree, err := parseJSON(data)
		if err != nil || tree.kind != jsonObject {
			return
		}
		newMsg := specMessages[int(which)%len(specMessages)]
		c := checkSpec(data, tree, newMsg().ProtoReflect().Descriptor(), fieldPath{}.field("spec"))
		strictOK := protojson.Unmarshal(data, newMsg()) == nil
		lenientOK := protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, newMsg()) == nil
		enumProblem := c.problem != nil && strings.Contains(c.problem.msg, "want one of")
		switch {
		case strictOK && len(c.unknown) > 0:
			t.Fatalf("protojson accepts %s strictly, the walk finds unknown fields %v", data, c.unknown)
		case strictOK && c.problem != nil && !enumProblem:
			t.Fatalf("protojson accepts %s strictly, the walk finds %s: %s", data, c.problem.path, c.problem.msg)
		case !strictOK && c.problem == nil && len(c.unknown) == 0:
			t.Fatalf("protojson refuses %s strictly (%v), the walk finds nothing", data, protojson.Unmarshal(data, newMsg()))
		case !lenientOK && c.problem == nil:
			t.Fatalf("protojson refuses %s leniently, the walk finds no problem", data)
		}
	})
}
