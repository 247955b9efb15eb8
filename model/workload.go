package model

import (
	"maps"
	"slices"
)

// Workload is a set of pods with one pod template: a Deployment, StatefulSet or DaemonSet, or a
// bare Pod. Policies select workloads; SMI and Linkerd name them by service account and port.
type Workload struct {
	Origin    Origin            `json:"origin"`
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Kind      string            `json:"kind"`
	Labels    map[string]string `json:"labels,omitempty"`
	// ServiceAccount is the pod template's service account ("default" when unset).
	ServiceAccount string          `json:"serviceAccount"`
	Ports          []ContainerPort `json:"ports,omitempty"`
	// Probes are the containers' HTTP probes (liveness, readiness, startup). Istio sends them
	// through its agent, outside authorization; Linkerd must authorize them on inbound routes.
	Probes []HTTPProbe `json:"probes,omitempty"`
}

// HTTPProbe is a container's httpGet probe: the port (a number, or a container port name) and
// the path the kubelet requests.
type HTTPProbe struct {
	Port     int32  `json:"port,omitempty"`
	PortName string `json:"portName,omitempty"`
	Path     string `json:"path"`
}

// ContainerPort is a port declared in the pod template.
type ContainerPort struct {
	Name     string `json:"name,omitempty"`
	Port     int32  `json:"port"`
	Protocol string `json:"protocol,omitempty"`
}

// Service is a Kubernetes Service. Routing targets Services; access resolves them to workloads.
type Service struct {
	Origin    Origin `json:"origin"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Selector is nil for a Service without selector (its endpoints are managed elsewhere).
	Selector map[string]string `json:"selector,omitempty"`
	Ports    []ServicePort     `json:"ports,omitempty"`
}

// ServicePort maps a Service port to the workload port it forwards to.
type ServicePort struct {
	Name        string `json:"name,omitempty"`
	Port        int32  `json:"port"`
	Protocol    string `json:"protocol,omitempty"`
	AppProtocol string `json:"appProtocol,omitempty"`
	// TargetPort is the container port number, or 0 when TargetPortName names it instead.
	TargetPort     int32  `json:"targetPort,omitempty"`
	TargetPortName string `json:"targetPortName,omitempty"`
}

// FQDN returns name.namespace.svc.<domain>.
func (s Service) FQDN(domain string) string {
	return s.Name + "." + s.Namespace + ".svc." + domain
}

// Port returns the Service port numbered p.
func (s Service) Port(p int32) (ServicePort, bool) {
	for _, sp := range s.Ports {
		if sp.Port == p {
			return sp, true
		}
	}
	return ServicePort{}, false
}

// Selects reports whether selector (matchLabels semantics) selects labels. A nil or empty
// selector selects everything, as a workload selector does in Istio.
func Selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

// ServiceAccountRef names a service account.
type ServiceAccountRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// String renders namespace/name.
func (r ServiceAccountRef) String() string { return r.Namespace + "/" + r.Name }

// Inventory is what the input says exists: namespaces, services, service accounts and workloads.
// Readers use it to resolve selectors and hosts; writers use it to expand wildcards. Every list is
// sorted by namespace and name (Sort): the lookups by name and by namespace (Service,
// WorkloadsIn, ServicesIn and the helpers built on them) search the lists and rely on it.
type Inventory struct {
	Namespaces      []string            `json:"namespaces,omitempty"`
	Services        []Service           `json:"services,omitempty"`
	ServiceAccounts []ServiceAccountRef `json:"serviceAccounts,omitempty"`
	Workloads       []Workload          `json:"workloads,omitempty"`
}

// Service returns the Service namespace/name.
func (inv *Inventory) Service(namespace, name string) (Service, bool) {
	i, ok := slices.BinarySearchFunc(inv.Services, [2]string{namespace, name}, func(s Service, k [2]string) int {
		return compareNN(s.Namespace, s.Name, k[0], k[1])
	})
	if !ok {
		return Service{}, false
	}
	return inv.Services[i], true
}

// SelectWorkloads returns the workloads in namespace (every namespace when namespace is "")
// whose labels match selector.
func (inv *Inventory) SelectWorkloads(namespace string, selector map[string]string) []Workload {
	var out []Workload
	for _, w := range inv.scopeWorkloads(namespace) {
		if Selects(selector, w.Labels) {
			out = append(out, w)
		}
	}
	return out
}

// ServiceAccountsIn returns every service account known in namespace (all namespaces when
// namespace is ""): those declared, and those that workloads run as.
func (inv *Inventory) ServiceAccountsIn(namespace string) []ServiceAccountRef {
	seen := map[ServiceAccountRef]bool{}
	for _, sa := range inv.scopeServiceAccounts(namespace) {
		seen[sa] = true
	}
	for _, w := range inv.scopeWorkloads(namespace) {
		seen[ServiceAccountRef{w.Namespace, w.ServiceAccount}] = true
	}
	out := slices.Collect(maps.Keys(seen))
	slices.SortFunc(out, func(a, b ServiceAccountRef) int { return compareNN(a.Namespace, a.Name, b.Namespace, b.Name) })
	return out
}

// Sort puts every list in canonical order. Readers call it once after filling the inventory.
func (inv *Inventory) Sort() {
	slices.Sort(inv.Namespaces)
	inv.Namespaces = slices.Compact(inv.Namespaces)
	slices.SortFunc(inv.Services, func(a, b Service) int { return compareNN(a.Namespace, a.Name, b.Namespace, b.Name) })
	slices.SortFunc(inv.ServiceAccounts, func(a, b ServiceAccountRef) int {
		return compareNN(a.Namespace, a.Name, b.Namespace, b.Name)
	})
	inv.ServiceAccounts = slices.Compact(inv.ServiceAccounts)
	slices.SortFunc(inv.Workloads, func(a, b Workload) int {
		if c := compareNN(a.Namespace, a.Name, b.Namespace, b.Name); c != 0 {
			return c
		}
		return compareStrings(a.Kind, b.Kind)
	})
}

func compareNN(ns1, n1, ns2, n2 string) int {
	if c := compareStrings(ns1, ns2); c != 0 {
		return c
	}
	return compareStrings(n1, n2)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
