package verify

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
	reader "github.com/meshbridge/meshbridge/translate/istio"
	"github.com/meshbridge/meshbridge/verify/linkerd"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// Targets are the destinations verify has evaluators for (the --to values).
var Targets = []string{"gatewayapi", "istio", "linkerd", "smi"}

// Options say which destination the objects are for and how it is set up.
type Options struct {
	// Target is the writer the objects come from: gatewayapi, smi, linkerd or istio.
	Target string
	// Mesh is the destination profile (--mesh): osm, traefik-mesh, linkerd-smi, smi for SMI;
	// istio, linkerd, cilium, kuma for Gateway API.
	Mesh string
	// Read holds the Istio mesh settings (root namespace, trust domain), used to decode Istio
	// output.
	Read reader.Options
	// Linkerd describes the Linkerd cluster: default inbound policy, networks. Annotations on
	// the input's and output's Namespaces and workloads are added to it.
	Linkerd linkerd.Options
}

// Input is what verify compares: Istio's objects (as the snapshot Istio's reader made of
// them, and the raw inventory for annotations) and the objects translated from them.
type Input struct {
	Snapshot  *model.Snapshot
	Inventory *inventory.Inventory
	Objects   []*unstructured.Unstructured
	// Findings are what the translation (or at least the reader) reported. A difference whose
	// Istio objects carry an error or warning finding is marked as reported.
	Findings model.Findings
}

// Run evaluates Istio and the destination on every request class the policies and routes
// distinguish, and reports the requests on which they differ.
func Run(in Input, opts Options) (*Report, error) {
	if !slices.Contains(Targets, opts.Target) {
		return nil, fmt.Errorf("unknown target %q (want one of %s)", opts.Target, strings.Join(Targets, ", "))
	}
	if in.Snapshot == nil {
		return nil, fmt.Errorf("no Istio snapshot to compare with")
	}
	if opts.Read.TrustDomain == "" {
		opts.Read.TrustDomain = in.Snapshot.TrustDomain
	}
	if opts.Read.RootNamespace == "" {
		opts.Read.RootNamespace = in.Snapshot.RootNamespace
	}
	if opts.Read.ClusterDomain == "" {
		opts.Read.ClusterDomain = in.Snapshot.ClusterDomain
	}
	d, err := newDestination(in, opts)
	if err != nil {
		return nil, err
	}
	rep := &Report{Target: opts.Target, Mesh: d.mesh, Notes: d.notes}
	cov := newCoverage(in.Snapshot, in.Findings)
	switch {
	case d.authorizer == nil:
	case !enforcesAccess(in.Snapshot):
		rep.Notes = append(rep.Notes, "The input enforces no access policy (none, or only dry-run ones): access was not compared.")
	default:
		rep.Assumptions = append(rep.Assumptions, DeclaredPortsAssumption)
		rep.Notes = append(rep.Notes, DeclaredPortsNote)
		rep.Access = compareAccess(in.Snapshot, d, cov)
	}
	if len(d.routers) > 0 {
		rep.Routes = compareRoutes(in.Snapshot, d, cov)
	}
	rep.summarize()
	return rep, nil
}

// objects wraps a list of objects for the evaluators.
func objects(objs []*unstructured.Unstructured) semantics.Objects { return semantics.Objects(objs) }

// enforcesAccess reports whether the input restricts access at all: an enforced (not dry-run)
// access policy, or a PeerAuthentication. Without one, Istio allows everything and the
// translation claims nothing about access.
func enforcesAccess(snap *model.Snapshot) bool {
	if len(snap.PeerAuthentications) > 0 {
		return true
	}
	for _, p := range snap.Access {
		if !p.DryRun {
			return true
		}
	}
	return false
}
