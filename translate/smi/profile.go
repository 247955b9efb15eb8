package smi

import (
	"slices"
	"strings"
)

// profile is what one consumer serves: which API version of each SMI group, and what those
// versions can say.
type profile struct {
	mesh string
	// access and specs are "" when the consumer implements no access control.
	access, specs, split string
	// splitMatches: TrafficSplit has spec.matches (split v1alpha3 and later).
	splitMatches bool
	// destinationPort: TrafficTarget has spec.destination.port (access v1alpha2 only).
	destinationPort bool
	// tcpRoutePorts: TCPRoute has spec.matches.ports (specs v1alpha4).
	tcpRoutePorts bool
	// containerPorts: the consumer is known to read TCPRoute ports as container ports, as Istio
	// reads its ports (OSM matches the destination port of the inbound connection).
	containerPorts bool
}

// profiles are the consumers, by --mesh value. Facts: shared/reference/targets.md §1.
var profiles = map[string]profile{
	"osm": {mesh: "osm", access: "v1alpha3", specs: "v1alpha4", split: "v1alpha2", tcpRoutePorts: true,
		containerPorts: true},
	"traefik-mesh": {mesh: "traefik-mesh", access: "v1alpha2", specs: "v1alpha3", split: "v1alpha3",
		splitMatches: true, destinationPort: true},
	"linkerd-smi": {mesh: "linkerd-smi", split: "v1alpha2"},
	"smi": {mesh: "smi", access: "v1alpha3", specs: "v1alpha4", split: "v1alpha4", splitMatches: true,
		tcpRoutePorts: true},
}

// Meshes returns the --mesh values the writer knows, sorted; "" means smi.
func Meshes() []string {
	var out []string
	for m := range profiles {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

func lookupProfile(mesh string) (profile, bool) {
	if mesh == "" {
		mesh = "smi"
	}
	p, ok := profiles[strings.ToLower(mesh)]
	return p, ok
}

// API groups.
const (
	accessGroup = "access.smi-spec.io"
	specsGroup  = "specs.smi-spec.io"
	splitGroup  = "split.smi-spec.io"
)
