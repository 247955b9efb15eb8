package istio

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
)

func TestReadWorkloads(t *testing.T) {
	probe := func(port intstr.IntOrString, path string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: port, Path: path}}}
	}
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "reviews"}}
	dep.Spec.Template.Labels = map[string]string{"app": "reviews"}
	dep.Spec.Template.Spec.Containers = []corev1.Container{{
		Name:           "reviews",
		Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
		LivenessProbe:  probe(intstr.FromString("http"), "/healthz"),
		ReadinessProbe: probe(intstr.FromInt32(8080), ""),
		StartupProbe:   probe(intstr.FromString("http"), "/healthz"),
	}}
	svc := service("shop", "reviews", 9080)
	svc.Spec.Ports[0].TargetPort = intstr.FromString("http")
	inv := &inventory.Inventory{Deployments: []*appsv1.Deployment{dep}, Services: []*corev1.Service{svc}}
	snap, _ := Read(inv, Options{})

	w := snap.Inventory.Workloads[0]
	t.Run("an unset service account is the namespace's default", func(t *testing.T) {
		if w.ServiceAccount != "default" {
			t.Errorf("service account %q", w.ServiceAccount)
		}
	})
	t.Run("HTTP probes are kept once each, with / for an empty path", func(t *testing.T) {
		want := []model.HTTPProbe{{PortName: "http", Path: "/healthz"}, {Port: 8080, Path: "/"}}
		if len(w.Probes) != len(want) || w.Probes[0] != want[0] || w.Probes[1] != want[1] {
			t.Errorf("probes %+v, want %+v", w.Probes, want)
		}
	})
	t.Run("a named target port is kept by name", func(t *testing.T) {
		p := snap.Inventory.Services[0].Ports[0]
		if p.TargetPortName != "http" || p.TargetPort != 0 {
			t.Errorf("service port %+v", p)
		}
	})
}
