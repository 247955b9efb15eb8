package load

import (
	"errors"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/inventory"
)

const vsHead = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\nspec:\n"
const apHead = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: p\n  namespace: foo\nspec:\n"

// badInputs are inputs that must stop loading, with the exact one-line error each gives.
var badInputs = []struct {
	name, input string
	want        string // the whole Error()
	field       string // Error.Field
}{
	{
		name:  "a string where an integer is wanted names the field with its indexes and line",
		input: vsHead + "  hosts: [reviews]\n  http:\n  - route:\n    - destination:\n        host: reviews\n      weight: abc\n",
		want:  `input.yaml:11 (document 1) VirtualService default/reviews: spec.http[0].route[0].weight: invalid value "abc": want an integer`,
		field: "spec.http[0].route[0].weight",
	},
	{
		name:  "the document number and line count from the start of the file",
		input: "# first\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# only a comment\n---\n" + vsHead + "  http:\n  - route:\n    - weight: abc\n",
		want:  `input.yaml:16 (document 3) VirtualService default/reviews: spec.http[0].route[0].weight: invalid value "abc": want an integer`,
		field: "spec.http[0].route[0].weight",
	},
	{
		name:  "a fraction where an integer is wanted is refused",
		input: vsHead + "  http:\n  - route:\n    - weight: 1.5\n",
		want:  `input.yaml:8 (document 1) VirtualService default/reviews: spec.http[0].route[0].weight: invalid value 1.5: want an integer`,
		field: "spec.http[0].route[0].weight",
	},
	{
		name:  "a string where a list is wanted is refused",
		input: vsHead + "  hosts: reviews\n",
		want:  `input.yaml:6 (document 1) VirtualService default/reviews: spec.hosts: invalid value "reviews": want a list`,
		field: "spec.hosts",
	},
	{
		name:  "a list where an object is wanted is refused",
		input: vsHead + "  http:\n  - route: {destination: {host: a}}\n",
		want:  `input.yaml:7 (document 1) VirtualService default/reviews: spec.http[0].route: got an object, want a list`,
		field: "spec.http[0].route",
	},
	{
		name:  "a bad duration is refused with its expected form",
		input: vsHead + "  http:\n  - timeout: soon\n",
		want:  `input.yaml:7 (document 1) VirtualService default/reviews: spec.http[0].timeout: invalid value "soon": want a duration such as "1.5s"`,
		field: "spec.http[0].timeout",
	},
	{
		name:  "a bad wrapped boolean is refused",
		input: vsHead + "  http:\n  - corsPolicy:\n      allowCredentials: maybe\n",
		want:  `input.yaml:8 (document 1) VirtualService default/reviews: spec.http[0].corsPolicy.allowCredentials: invalid value "maybe": want true or false`,
		field: "spec.http[0].corsPolicy.allowCredentials",
	},
	{
		name:  "a bad map value is named by its key",
		input: vsHead + "  http:\n  - headers:\n      request:\n        set: {x-a: [1]}\n",
		want:  `input.yaml:9 (document 1) VirtualService default/reviews: spec.http[0].headers.request.set[x-a]: got a list, want a string`,
		field: "spec.http[0].headers.request.set[x-a]",
	},
	{
		name:  "two members of one oneof are refused",
		input: vsHead + "  http:\n  - match:\n    - uri:\n        exact: /a\n        prefix: /b\n",
		want:  `input.yaml:10 (document 1) VirtualService default/reviews: spec.http[0].match[0].uri.prefix: exact is set too: only one of exact, prefix, regex may be set`,
		field: "spec.http[0].match[0].uri.prefix",
	},
	{
		name:  "an unknown action is refused rather than read as ALLOW",
		input: apHead + "  action: DENYY\n",
		want:  `input.yaml:7 (document 1) AuthorizationPolicy foo/p: spec.action: invalid value "DENYY": want one of ALLOW, DENY, AUDIT, CUSTOM`,
		field: "spec.action",
	},
	{
		name:  "an action number with no name is refused",
		input: apHead + "  action: 7\n",
		want:  `input.yaml:7 (document 1) AuthorizationPolicy foo/p: spec.action: invalid value 7: want one of ALLOW, DENY, AUDIT, CUSTOM`,
		field: "spec.action",
	},
	{
		name:  "an action number with no name is refused beside an unknown field",
		input: apHead + "  action: 7\n  extra: 1\n",
		want:  `input.yaml:7 (document 1) AuthorizationPolicy foo/p: spec.action: invalid value 7: want one of ALLOW, DENY, AUDIT, CUSTOM`,
		field: "spec.action",
	},
	{
		name:  "a field given by its proto name and its JSON name is refused",
		input: apHead + "  rules:\n  - to:\n    - operation:\n        not_paths: [/a]\n        notPaths: [/b]\n",
		want:  `input.yaml:10 (document 1) AuthorizationPolicy foo/p: spec.rules[0].to[0].operation.not_paths: given twice, also as notPaths`,
		field: "spec.rules[0].to[0].operation.not_paths",
	},
	{
		name:  "bad metadata of an Istio object names the field",
		input: "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: p\n  labels: [a]\n",
		want:  `input.yaml:5 (document 1) AuthorizationPolicy default/p: metadata.labels: got a list, want an object`,
		field: "metadata.labels",
	},
	{
		name:  "a string where a Service port is wanted names the port",
		input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n  - port: http\n",
		want:  `input.yaml:8 (document 1) Service default/s: spec.ports[1].port: invalid value "http": want an integer`,
		field: "spec.ports[1].port",
	},
	{
		name:  "a bad quantity is named although its decoder gives no position",
		input: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    resources:\n      limits:\n        cpu: lots\n",
		want:  `input.yaml:10 (document 1) Pod default/p: spec.containers[0].resources.limits[cpu]: invalid value "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
		field: "spec.containers[0].resources.limits[cpu]",
	},
	{
		name:  "a bad int-or-string is named although its error comes from a nested decoder",
		input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n    targetPort: {a: 1}\n",
		want:  `input.yaml:8 (document 1) Service default/s: spec.ports[0].targetPort: got an object, want an integer or a string`,
		field: "spec.ports[0].targetPort",
	},
	{
		name:  "a bad int-or-string is told apart from a good one before it",
		input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n    targetPort: http\n  - port: 81\n    targetPort: [1]\n",
		want:  `input.yaml:10 (document 1) Service default/s: spec.ports[1].targetPort: got a list, want an integer or a string`,
		field: "spec.ports[1].targetPort",
	},
	{
		name:  "a string for Deployment replicas is refused",
		input: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: shop\nspec:\n  replicas: many\n",
		want:  `input.yaml:7 (document 1) Deployment shop/d: spec.replicas: invalid value "many": want an integer`,
		field: "spec.replicas",
	},
	{
		name:  "malformed YAML gives the parser's line",
		input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: [a\n",
		want:  `input.yaml:4 (document 1): malformed YAML: did not find expected ',' or ']'`,
	},
	{
		name:  "malformed YAML in a later document gives the line in the file",
		input: "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\n  name: b\n",
		want:  `input.yaml:7 (document 2): malformed YAML: mapping values are not allowed in this context`,
	},
	{
		name:  "truncated YAML is refused",
		input: vsHead + "  hosts:\n  - \"revi",
		want:  `input.yaml:7 (document 1): malformed YAML: found unexpected end of stream`,
	},
	{
		name:  "binary garbage is refused",
		input: "\x00\x01\x02\xff\xfe binary",
		want:  `input.yaml:1 (document 1): malformed YAML: control characters are not allowed`,
	},
	{
		name:  "YAML that expands without bound is refused",
		input: "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
		want:  `input.yaml:1 (document 1): malformed YAML: document contains excessive aliasing`,
	},
	{
		name:  "YAML nested too deeply is refused",
		input: vsHead + "  hosts: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n",
		want:  `input.yaml:6 (document 1): malformed YAML: exceeded max depth of 10000`,
	},
	{
		name:  "a key given twice is refused",
		input: "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nkind: Service\n",
		want:  `input.yaml:4 (document 1): malformed YAML: key "kind" already set in map`,
	},
	{
		name:  "text after a document separator is refused",
		input: "--- apiVersion: v1\n",
		want:  `input.yaml:1: invalid document separator: only a comment may follow --- on its line`,
	},
	{
		name:  "a scalar document is not an object",
		input: "hello world\n",
		want:  `input.yaml:1 (document 1): not a Kubernetes object: got a string, want a mapping with apiVersion and kind`,
	},
	{
		name:  "a list document is not an object",
		input: "- apiVersion: v1\n  kind: Namespace\n",
		want:  `input.yaml:1 (document 1): not a Kubernetes object: got a list, want a mapping with apiVersion and kind`,
	},
	{
		name:  "an object without apiVersion and kind is refused",
		input: "metadata:\n  name: a\n",
		want:  `input.yaml:1 (document 1): missing apiVersion and kind`,
	},
	{
		name:  "an object without apiVersion is refused",
		input: "kind: VirtualService\nmetadata:\n  name: a\n",
		want:  `input.yaml:1 (document 1) VirtualService a: apiVersion: missing`,
		field: "apiVersion",
	},
	{
		name:  "an object without kind is refused",
		input: "apiVersion: v1\nmetadata:\n  name: a\n",
		want:  `input.yaml:1 (document 1): kind: missing`,
		field: "kind",
	},
	{
		name:  "a number for apiVersion is refused",
		input: "apiVersion: 1\nkind: Service\n",
		want:  `input.yaml:1 (document 1): apiVersion: invalid value 1: want a string`,
		field: "apiVersion",
	},
	{
		name:  "an apiVersion with two slashes is refused",
		input: "apiVersion: a/b/c\nkind: Service\n",
		want:  `input.yaml:1 (document 1) Service: apiVersion: invalid value "a/b/c": want group/version, or v1 for the core group`,
		field: "apiVersion",
	},
	{
		name:  "a VirtualService at an unknown version is refused",
		input: "apiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata:\n  name: reviews\n",
		want:  `input.yaml:1 (document 1) VirtualService default/reviews: apiVersion: networking.istio.io/v2 is not a served version of VirtualService: want networking.istio.io/v1alpha3, networking.istio.io/v1beta1 or networking.istio.io/v1`,
		field: "apiVersion",
	},
	{
		name:  "an AuthorizationPolicy at v1alpha1 is refused",
		input: "apiVersion: security.istio.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata:\n  name: p\n  namespace: foo\n",
		want:  `input.yaml:1 (document 1) AuthorizationPolicy foo/p: apiVersion: security.istio.io/v1alpha1 is not a served version of AuthorizationPolicy: want security.istio.io/v1beta1 or security.istio.io/v1`,
		field: "apiVersion",
	},
	{
		name:  "a Deployment at a removed version is refused",
		input: "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: d\n",
		want:  `input.yaml:1 (document 1) Deployment default/d: apiVersion: apps/v1beta1 is not a served version of Deployment: want apps/v1`,
		field: "apiVersion",
	},
	{
		name:  "an object without a name is refused",
		input: "apiVersion: v1\nkind: Service\nmetadata:\n  namespace: a\n",
		want:  `input.yaml:3 (document 1) Service: metadata.name: missing: every object needs a name`,
		field: "metadata.name",
	},
	{
		name:  "a bad List item names the item and its line",
		input: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- 5\n",
		want:  `input.yaml:7 (document 1): items[1]: got a number, want an object`,
		field: "items[1]",
	},
	{
		name:  "an error inside a List item names the item object and the field within it",
		input: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n  spec:\n    ports:\n    - port: x\n",
		want:  `input.yaml:9 (document 1) Service default/s: spec.ports[0].port: invalid value "x": want an integer`,
		field: "spec.ports[0].port",
	},
	{
		name:  "List items that are not a list are refused",
		input: "apiVersion: v1\nkind: List\nitems: {a: 1}\n",
		want:  `input.yaml:3 (document 1) List: items: got an object, want a list of objects`,
		field: "items",
	},
}

func TestBadInput(t *testing.T) {
	for _, tc := range badInputs {
		t.Run(tc.name, func(t *testing.T) {
			inv := &inventory.Inventory{}
			_, err := Decode(inv, "input.yaml", []byte(tc.input), Options{})
			if err == nil {
				t.Fatalf("Decode succeeded, want error %s", tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tc.want)
			}
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("error is %T, want *load.Error", err)
			}
			if le.File != "input.yaml" || le.Field != tc.field {
				t.Errorf("File, Field = %q, %q; want input.yaml, %q", le.File, le.Field, tc.field)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error is not one line: %q", err.Error())
			}
		})
	}
}

func TestErrorRendering(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  Error
		want string
	}{
		{"every part known gives file:line (document N) object: field: message",
			Error{File: "a.yaml", Doc: 3, Line: 12, Object: objRef("VirtualService", "default", "reviews"), Field: "spec.hosts", Msg: "bad"},
			"a.yaml:12 (document 3) VirtualService default/reviews: spec.hosts: bad"},
		{"a cluster-scoped object has no namespace",
			Error{File: "a.yaml", Doc: 1, Line: 1, Object: objRef("Namespace", "", "shop"), Msg: "bad"},
			"a.yaml:1 (document 1) Namespace shop: bad"},
		{"a file error has only the file",
			Error{File: "missing.yaml", Msg: "cannot read: no such file or directory"},
			"missing.yaml: cannot read: no such file or directory"},
		{"newlines and control characters from the input stay on one line",
			Error{File: "a\nb.yaml", Field: "spec.x", Msg: "bad\n\tvalue \x01"},
			`a b.yaml: spec.x: bad value \x01`},
		{"an empty message still says something",
			Error{File: "a.yaml"},
			"a.yaml: invalid input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
