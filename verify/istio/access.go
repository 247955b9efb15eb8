package istio

import (
	"bytes"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
	reader "github.com/meshbridge/meshbridge/translate/istio"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// TranslatedFile names the emitted objects in the locations of the snapshot Decode builds.
const TranslatedFile = "<translated>"

// Decode reads the Istio objects among objs (security.istio.io and networking.istio.io, any
// served version) back into a snapshot, beside the Kubernetes objects of the input (in), with
// Istio's reader: the snapshot Istio itself would act on once the objects are applied.
func Decode(objs semantics.Objects, in *inventory.Inventory, opts reader.Options) (*model.Snapshot, error) {
	var buf bytes.Buffer
	for _, o := range objs {
		gv, err := schema.ParseGroupVersion(o.GetAPIVersion())
		if err != nil || (gv.Group != "security.istio.io" && gv.Group != "networking.istio.io") {
			continue
		}
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", semantics.Name(o), err)
		}
		buf.WriteString("---\n")
		buf.Write(b)
	}
	inv := &inventory.Inventory{}
	if in != nil {
		inv.Services, inv.ServiceAccounts, inv.Namespaces = in.Services, in.ServiceAccounts, in.Namespaces
		inv.Pods, inv.Deployments, inv.StatefulSets, inv.DaemonSets = in.Pods, in.Deployments, in.StatefulSets, in.DaemonSets
	}
	if buf.Len() > 0 {
		if _, err := load.Decode(inv, TranslatedFile, buf.Bytes(), load.Options{}); err != nil {
			return nil, err
		}
	}
	inv.Sort()
	snap, _ := reader.Read(inv, opts)
	return snap, nil
}

// EvalOptions are how verify evaluates Istio: its authorization policies and, before them,
// PeerAuthentication (STRICT refuses callers without mTLS; DISABLE hides their identity).
var EvalOptions = model.EvalOptions{PeerAuthentication: true}

// Access decides requests with Istio's own evaluator over a decoded snapshot.
type Access struct{ snap *model.Snapshot }

// NewAccess evaluates snap's policies.
func NewAccess(snap *model.Snapshot) *Access { return &Access{snap: snap} }

// Authorize implements semantics.Authorizer.
func (a *Access) Authorize(_ model.Workload, r model.Request) semantics.Verdict {
	d := model.EvaluateWith(a.snap, r, EvalOptions)
	return semantics.Verdict{Allow: d.Allow, By: Describe(d)}
}

// Describe renders a decision for a report: "ALLOW policy ns/name rule 0", "default: no ALLOW
// policy applies", ….
func Describe(d model.Decision) string {
	switch d.Reason {
	case model.ReasonNoAllowPolicy:
		return "default: no ALLOW policy applies"
	case model.ReasonNotAllowed:
		return "default: no ALLOW policy matches"
	case model.ReasonCustomDenied:
		return fmt.Sprintf("CUSTOM policy %s (provider %s)", d.By, d.Provider)
	case model.ReasonDenied:
		return "DENY policy " + d.By.String()
	case model.ReasonMTLSRequired:
		return "PeerAuthentication STRICT: the caller has no mTLS"
	}
	return "ALLOW policy " + d.By.String()
}
