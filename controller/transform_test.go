package controller

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

func managed() []metav1.ManagedFieldsEntry {
	return []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationUpdate,
		FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{}}`)}}}
}

func TestTrimKeepsWhatTheReaderReadsOfAWorkload(t *testing.T) {
	d := &appsv1.Deployment{}
	if err := yaml.Unmarshal([]byte(`
metadata:
  name: reviews
  namespace: shop
  generation: 4
  labels: {app: reviews}
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{...}", team: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: reviews}}
  template:
    metadata: {labels: {app: reviews, version: v1}, annotations: {checksum: abc}}
    spec:
      serviceAccountName: reviews
      volumes: [{name: data, emptyDir: {}}]
      initContainers: [{name: init, image: busybox}]
      containers:
      - name: app
        image: reviews:v1
        env: [{name: A, value: b}]
        ports: [{name: http, containerPort: 9080}]
        livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 5}
        readinessProbe: {tcpSocket: {port: 9080}}
status: {replicas: 3}
`), d); err != nil {
		t.Fatal(err)
	}
	d.ManagedFields = managed()
	if _, err := trim(d); err != nil {
		t.Fatal(err)
	}
	want := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "reviews", Namespace: "shop", Generation: 4,
			Labels: map[string]string{"app": "reviews"}, Annotations: map[string]string{"team": "web"}},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "reviews", "version": "v1"}},
			Spec: corev1.PodSpec{ServiceAccountName: "reviews", Containers: []corev1.Container{{
				Name:          "app",
				Ports:         []corev1.ContainerPort{{Name: "http", ContainerPort: 9080}},
				LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}},
			}}},
		}},
	}
	got, _ := yaml.Marshal(d)
	exp, _ := yaml.Marshal(want)
	if string(got) != string(exp) {
		t.Errorf("trimmed Deployment:\n%s\nwant:\n%s", got, exp)
	}
}

func TestTrimKeepsAServicesSelectorAndPorts(t *testing.T) {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "reviews", Labels: map[string]string{"app": "reviews"}, ManagedFields: managed()},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "reviews"}, ClusterIP: "10.0.0.1",
			Ports: []corev1.ServicePort{{Name: "http", Port: 9080, TargetPort: intstr.FromInt32(8080)}}},
		Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "1.2.3.4"}}}},
	}
	_, _ = trim(s)
	if s.Spec.ClusterIP != "" || len(s.Status.LoadBalancer.Ingress) != 0 || s.ManagedFields != nil {
		t.Errorf("kept what the reader does not read: %+v", s)
	}
	if s.Spec.Selector["app"] != "reviews" || len(s.Spec.Ports) != 1 || s.Spec.Ports[0].TargetPort.IntVal != 8080 || s.Labels["app"] != "reviews" {
		t.Errorf("dropped what the reader reads: %+v", s)
	}
}

func TestTrimDropsAnIstioObjectsStatusAndManagedFields(t *testing.T) {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
		"metadata": map[string]any{"name": "a", "annotations": map[string]any{"istio.io/dry-run": "true", lastApplied: "{}"}},
		"spec":     map[string]any{"action": "DENY"},
		"status":   map[string]any{"validationMessages": []any{}},
	}}
	u.SetManagedFields(managed())
	_, _ = trim(u)
	if _, ok := u.Object["status"]; ok || u.GetManagedFields() != nil || u.GetAnnotations()[lastApplied] != "" {
		t.Errorf("kept status, managed fields or kubectl's copy: %v", u.Object)
	}
	if u.GetAnnotations()["istio.io/dry-run"] != "true" || u.Object["spec"] == nil {
		t.Errorf("dropped what the reader reads: %v", u.Object)
	}
}

func TestTrimKeepsTheManagedFieldHeadersOfOutputsOnly(t *testing.T) {
	out := metadataObject(httpRouteGVK)
	out.Labels = ownedBy("shop")
	out.ManagedFields = managed()
	_, _ = trim(out)
	if len(out.ManagedFields) != 1 || out.ManagedFields[0].Manager != "kubectl" || out.ManagedFields[0].FieldsV1 != nil {
		t.Errorf("an output's managed fields = %+v, want the header without field set", out.ManagedFields)
	}
	sa := metadataObject(corev1.SchemeGroupVersion.WithKind("ServiceAccount"))
	sa.ManagedFields = managed()
	_, _ = trim(sa)
	if sa.ManagedFields != nil {
		t.Errorf("a ServiceAccount kept its managed fields: %+v", sa.ManagedFields)
	}
}
