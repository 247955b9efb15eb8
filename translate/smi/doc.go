// Package smi writes the model as Service Mesh Interface objects: TrafficTarget, HTTPRouteGroup
// and TCPRoute for access, TrafficSplit for weighted routing, at the API versions the chosen
// consumer (OSM, Traefik Mesh, linkerd-smi) serves.
package smi
