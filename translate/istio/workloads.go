package istio

import (
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/meshbridge/meshbridge/model"
)

// readWorkloads fills the snapshot's inventory: namespaces, Services, service accounts and the
// pod templates of Deployments, StatefulSets, DaemonSets and bare Pods.
func (r *reader) readWorkloads() {
	inv := &r.snap.Inventory
	// Sized up front: the lists are as long as the input's, and growing them step by step
	// copies them over and over.
	inv.Services = slices.Grow(inv.Services, len(r.inv.Services))
	inv.Workloads = slices.Grow(inv.Workloads, len(r.inv.Deployments)+len(r.inv.StatefulSets)+len(r.inv.DaemonSets)+len(r.inv.Pods))
	for _, ns := range r.inv.Namespaces {
		inv.Namespaces = append(inv.Namespaces, ns.Name)
	}
	for _, sa := range r.inv.ServiceAccounts {
		inv.ServiceAccounts = append(inv.ServiceAccounts, model.ServiceAccountRef{Namespace: sa.Namespace, Name: sa.Name})
	}
	for _, s := range r.inv.Services {
		svc := model.Service{
			Origin:    r.inv.Origin("v1", "Service", s),
			Namespace: s.Namespace,
			Name:      s.Name,
			Selector:  s.Spec.Selector,
		}
		for _, p := range s.Spec.Ports {
			sp := model.ServicePort{Name: p.Name, Port: p.Port, Protocol: string(p.Protocol)}
			if p.AppProtocol != nil {
				sp.AppProtocol = *p.AppProtocol
			}
			switch {
			case p.TargetPort.StrVal != "":
				sp.TargetPortName = p.TargetPort.StrVal
			case p.TargetPort.IntVal != 0:
				sp.TargetPort = p.TargetPort.IntVal
			default: // Kubernetes defaults targetPort to port.
				sp.TargetPort = p.Port
			}
			svc.Ports = append(svc.Ports, sp)
		}
		inv.Services = append(inv.Services, svc)
	}
	for _, d := range r.inv.Deployments {
		r.addWorkload(r.inv.Origin("apps/v1", "Deployment", d), &d.Spec.Template)
	}
	for _, s := range r.inv.StatefulSets {
		r.addWorkload(r.inv.Origin("apps/v1", "StatefulSet", s), &s.Spec.Template)
	}
	for _, d := range r.inv.DaemonSets {
		r.addWorkload(r.inv.Origin("apps/v1", "DaemonSet", d), &d.Spec.Template)
	}
	for _, p := range r.inv.Pods {
		r.addWorkload(r.inv.Origin("v1", "Pod", p), &corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec})
	}
	inv.Sort()
}

// addWorkload records one pod template. Pods created by a controller in the same input are
// recorded twice, which is harmless: selection and service accounts are the same.
func (r *reader) addWorkload(origin model.Origin, tpl *corev1.PodTemplateSpec) {
	sa := tpl.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	w := model.Workload{
		Origin:         origin,
		Namespace:      origin.Object.Namespace,
		Name:           origin.Object.Name,
		Kind:           origin.Object.Kind,
		Labels:         tpl.Labels,
		ServiceAccount: sa,
	}
	for _, c := range tpl.Spec.Containers {
		for _, p := range c.Ports {
			w.Ports = append(w.Ports, model.ContainerPort{Name: p.Name, Port: p.ContainerPort, Protocol: string(p.Protocol)})
		}
		w.Probes = append(w.Probes, httpProbes(c)...)
	}
	r.snap.Inventory.Workloads = append(r.snap.Inventory.Workloads, w)
}

// httpProbes returns a container's httpGet probes (liveness, readiness, startup), without
// duplicates. Targets that authorize per route must let the kubelet through to them.
func httpProbes(c corev1.Container) []model.HTTPProbe {
	var out []model.HTTPProbe
	for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
		if p == nil || p.HTTPGet == nil {
			continue
		}
		path := p.HTTPGet.Path
		if path == "" {
			path = "/"
		}
		hp := model.HTTPProbe{Port: p.HTTPGet.Port.IntVal, PortName: p.HTTPGet.Port.StrVal, Path: path}
		if !slices.Contains(out, hp) {
			out = append(out, hp)
		}
	}
	return out
}
