package emit

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	accessv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/access/v1alpha2"
	accessv1alpha3 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/access/v1alpha3"
	splitv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	splitv1alpha3 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha3"
	splitv1alpha4 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha4"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/meshbridge/meshbridge/apis/linkerd/v1alpha1"
	"github.com/meshbridge/meshbridge/apis/linkerd/v1beta3"
)

// The types writers hand to Object.
var writtenTypes = []runtime.Object{
	&gwv1.HTTPRoute{}, &gwv1.GRPCRoute{}, &gwv1.TCPRoute{}, &gwv1.TLSRoute{}, &gwv1.Gateway{}, &gwv1.ReferenceGrant{},
	&corev1.Service{},
	&v1beta3.Server{}, &v1alpha1.NetworkAuthentication{}, &v1alpha1.MeshTLSAuthentication{}, &v1alpha1.AuthorizationPolicy{},
	&splitv1alpha2.TrafficSplit{}, &splitv1alpha3.TrafficSplit{}, &splitv1alpha4.TrafficSplit{},
	&accessv1alpha2.TrafficTarget{}, &accessv1alpha3.TrafficTarget{},
}

// fill sets every exported field of v at random: nil, empty or filled pointers, slices and maps,
// zero or other values, down to a depth.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	if depth > 12 || !v.CanSet() {
		return
	}
	switch v.Interface().(type) {
	case metav1.Time:
		if r.IntN(2) == 0 {
			v.Set(reflect.ValueOf(metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))))
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		if r.IntN(3) > 0 {
			v.SetString(fmt.Sprintf("s%d", r.IntN(100)))
		}
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if r.IntN(3) > 0 {
			v.SetInt(int64(r.IntN(200) - 50))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if r.IntN(3) > 0 {
			v.SetUint(uint64(r.IntN(200)))
		}
	case reflect.Float32, reflect.Float64:
		if r.IntN(3) > 0 {
			v.SetFloat(r.Float64() * 100)
		}
	case reflect.Pointer:
		if r.IntN(3) > 0 {
			p := reflect.New(v.Type().Elem())
			fill(r, p.Elem(), depth+1)
			v.Set(p)
		}
	case reflect.Slice:
		switch r.IntN(4) {
		case 0: // nil
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), 1+r.IntN(3), 3)
			for i := 0; i < s.Len(); i++ {
				fill(r, s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.Map:
		switch r.IntN(4) {
		case 0:
		case 1:
			v.Set(reflect.MakeMap(v.Type()))
		default:
			m := reflect.MakeMap(v.Type())
			for i := 0; i < 1+r.IntN(3); i++ {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				fill(r, k, depth+1)
				fill(r, e, depth+1)
				m.SetMapIndex(k, e)
			}
			v.Set(m)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth+1)
			}
		}
	}
}

func TestToUnstructuredIsApimachinerys(t *testing.T) {
	for _, proto := range writtenTypes {
		typ := reflect.TypeOf(proto).Elem()
		t.Run(typ.String()+" is planned and converts as apimachinery does", func(t *testing.T) {
			if topPlan(typ) == nil {
				t.Fatalf("%s has no plan: every object would go to apimachinery's converter", typ)
			}
			r := rand.New(rand.NewPCG(1, uint64(len(typ.String()))))
			for i := 0; i < 300; i++ {
				obj := reflect.New(typ)
				fill(r, obj.Elem(), 0)
				o := obj.Interface().(runtime.Object)
				want, werr := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
				got, gerr := toUnstructured(o)
				if (werr != nil) != (gerr != nil) || !reflect.DeepEqual(got, want) {
					t.Fatalf("object %d:\n got %#v (%v)\nwant %#v (%v)", i, got, gerr, want, werr)
				}
			}
		})
	}
}

// odd has what the plan leaves to apimachinery: an interface field.
type odd struct {
	metav1.TypeMeta `json:",inline"`
	Any             any `json:"any,omitempty"`
}

func (o *odd) DeepCopyObject() runtime.Object { c := *o; return &c }

func TestToUnstructuredLeavesTheRestToApimachinery(t *testing.T) {
	t.Run("a type with an interface field has no plan and converts as apimachinery does", func(t *testing.T) {
		if topPlan(reflect.TypeOf(odd{})) != nil {
			t.Fatal("odd was planned")
		}
		o := &odd{Any: map[string]any{"a": []any{int64(1), "b"}}}
		want, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		got, err := toUnstructured(o)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("got %#v (%v), want %#v", got, err, want)
		}
	})
	t.Run("an unstructured object gives its own content", func(t *testing.T) {
		u := &unstructured.Unstructured{Object: map[string]any{"kind": "X", "spec": map[string]any{"a": int64(1)}}}
		got, err := toUnstructured(u)
		if err != nil || !reflect.DeepEqual(got, u.Object) {
			t.Fatalf("got %#v (%v), want %#v", got, err, u.Object)
		}
	})
}
