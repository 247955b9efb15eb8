package istio

import (
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// resolveHost turns an Istio host as written in namespace ns into the Service it names, if the
// inventory holds one. Istio completes short names with the object's namespace: "reviews" in
// namespace default is reviews.default.svc.<cluster domain>.
func (r *reader) resolveHost(host, ns string) (model.Service, bool) {
	name, namespace, ok := r.splitHost(host, ns)
	if !ok {
		return model.Service{}, false
	}
	return r.snap.Inventory.Service(namespace, name)
}

// splitHost returns the Service name and namespace a host denotes, or false for wildcards and
// hosts outside the cluster domain.
func (r *reader) splitHost(host, ns string) (name, namespace string, ok bool) {
	if host == "" || strings.Contains(host, "*") {
		return "", "", false
	}
	parts := strings.Split(host, ".")
	switch {
	case len(parts) == 1:
		return parts[0], ns, true
	case len(parts) == 2:
		return parts[0], parts[1], true
	case len(parts) == 3 && parts[2] == "svc":
		return parts[0], parts[1], true
	case len(parts) > 3 && parts[2] == "svc" && strings.Join(parts[3:], ".") == r.opts.ClusterDomain:
		return parts[0], parts[1], true
	}
	return "", "", false
}
