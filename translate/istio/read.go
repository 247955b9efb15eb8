package istio

import (
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
)

// Name is the reader's finding stage.
const Name = "istio"

// Options configure the reader with the mesh settings a cluster would hold in MeshConfig.
type Options struct {
	// RootNamespace holds mesh-wide policies (default istio-system).
	RootNamespace string
	// ClusterDomain completes short Service hosts (default cluster.local).
	ClusterDomain string
	// TrustDomain prefixes identities (default cluster.local).
	TrustDomain string
}

func (o Options) withDefaults() Options {
	if o.RootNamespace == "" {
		o.RootNamespace = "istio-system"
	}
	if o.ClusterDomain == "" {
		o.ClusterDomain = "cluster.local"
	}
	if o.TrustDomain == "" {
		o.TrustDomain = "cluster.local"
	}
	return o
}

// reader carries one Read call's input and output; its methods are the features, one file each.
type reader struct {
	opts     Options
	inv      *inventory.Inventory
	snap     *model.Snapshot
	findings model.Findings
	// subsets holds DestinationRule subset labels by Service and subset name.
	subsets map[subsetKey]map[string]string
}

// Read turns the inventory into a snapshot. It never fails: what it cannot read is a finding.
// inv must be sorted (inventory.Sort); the snapshot's lists are then sorted too.
func Read(inv *inventory.Inventory, opts Options) (*model.Snapshot, model.Findings) {
	opts = opts.withDefaults()
	r := &reader{
		opts: opts,
		inv:  inv,
		snap: &model.Snapshot{
			RootNamespace: opts.RootNamespace,
			ClusterDomain: opts.ClusterDomain,
			TrustDomain:   opts.TrustDomain,
		},
	}
	r.readWorkloads()
	r.readDestinationRules()
	r.readGateways()
	r.readVirtualServices()
	r.readAccess()
	r.readPeerAuthentications()
	return r.snap, r.findings
}

// report records a finding about origin's field.
func (r *reader) report(code model.Code, origin model.Origin, field, format string, args ...any) {
	r.findings.Add(Name, code, origin, field, format, args...)
}
