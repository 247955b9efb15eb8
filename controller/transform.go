package controller

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// lastApplied is kubectl apply's copy of the whole object, often the biggest annotation.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// transform returns the informer cache's transform: Istio objects (unstructured) go through
// dc.ingest, which decodes them and keeps their metadata and references; other objects
// through trim.
func transform(dc *decodeCache) func(any) (any, error) {
	return func(obj any) (any, error) {
		if u, ok := obj.(*unstructured.Unstructured); ok {
			dc.ingest(u)
			return u, nil
		}
		return trim(obj)
	}
}

// trim keeps of each object what the controller reads and drops the rest before the object
// is stored, so that the cache of a large cluster stays small. What is kept:
//
//   - Istio objects (unstructured): everything but status and managed fields (ingest then
//     keeps less).
//   - Services: labels, selector and ports, which is all the reader reads of them.
//   - Deployments, StatefulSets, DaemonSets and Pods: labels, generation, and of the pod
//     template its labels, service account and containers' names, ports and HTTP probes.
//   - Metadata-only objects (outputs, ServiceAccounts, Namespaces): the metadata; outputs
//     keep the headers of their managed fields (manager, operation, time), which tell whether
//     someone else wrote them after the controller (see ledger.current).
//
// kubectl's last-applied-configuration annotation and managed fields go everywhere else.
// The transform must keep whatever the predicates in watches.go compare, and be idempotent:
// informers may transform an object they hold again.
func trim(obj any) (any, error) {
	switch o := obj.(type) {
	case *unstructured.Unstructured:
		delete(o.Object, "status")
		trimMeta(o)
	case *metav1.PartialObjectMetadata:
		if o.Labels[ManagedByLabel] == ManagedByValue {
			for i := range o.ManagedFields {
				f := &o.ManagedFields[i]
				f.FieldsV1, f.FieldsType, f.APIVersion = nil, "", ""
			}
			dropLastApplied(o)
		} else {
			trimMeta(o)
		}
	case *corev1.Service:
		trimMeta(o)
		o.Spec = corev1.ServiceSpec{Selector: o.Spec.Selector, Ports: o.Spec.Ports}
		o.Status = corev1.ServiceStatus{}
	case *appsv1.Deployment:
		trimMeta(o)
		o.Spec = appsv1.DeploymentSpec{Template: trimTemplate(o.Spec.Template)}
		o.Status = appsv1.DeploymentStatus{}
	case *appsv1.StatefulSet:
		trimMeta(o)
		o.Spec = appsv1.StatefulSetSpec{Template: trimTemplate(o.Spec.Template)}
		o.Status = appsv1.StatefulSetStatus{}
	case *appsv1.DaemonSet:
		trimMeta(o)
		o.Spec = appsv1.DaemonSetSpec{Template: trimTemplate(o.Spec.Template)}
		o.Status = appsv1.DaemonSetStatus{}
	case *corev1.Pod:
		trimMeta(o)
		o.Annotations = nil
		o.OwnerReferences = nil
		o.Spec = trimTemplate(corev1.PodTemplateSpec{Spec: o.Spec}).Spec
		o.Status = corev1.PodStatus{}
	case metav1.Object:
		trimMeta(o)
	}
	return obj, nil
}

// trimMeta drops managed fields and kubectl's copy of the object.
func trimMeta(o metav1.Object) {
	o.SetManagedFields(nil)
	dropLastApplied(o)
}

func dropLastApplied(o metav1.Object) {
	if a := o.GetAnnotations(); a[lastApplied] != "" {
		delete(a, lastApplied)
		o.SetAnnotations(a)
	}
}

// trimTemplate keeps what the reader reads of a pod template (translate/istio.readWorkloads):
// its labels, service account, and the containers' ports and HTTP probes.
func trimTemplate(t corev1.PodTemplateSpec) corev1.PodTemplateSpec {
	out := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: t.Labels},
		Spec:       corev1.PodSpec{ServiceAccountName: t.Spec.ServiceAccountName},
	}
	for _, c := range t.Spec.Containers {
		out.Spec.Containers = append(out.Spec.Containers, corev1.Container{
			Name:           c.Name,
			Ports:          c.Ports,
			LivenessProbe:  httpProbe(c.LivenessProbe),
			ReadinessProbe: httpProbe(c.ReadinessProbe),
			StartupProbe:   httpProbe(c.StartupProbe),
		})
	}
	return out
}

// httpProbe keeps a probe's httpGet port and path: other probes are not requests a mesh sees.
func httpProbe(p *corev1.Probe) *corev1.Probe {
	if p == nil || p.HTTPGet == nil {
		return nil
	}
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: p.HTTPGet.Path, Port: p.HTTPGet.Port}}}
}
