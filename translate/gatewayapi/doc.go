// Package gatewayapi writes the model's routing as Gateway API objects: HTTPRoute, GRPCRoute,
// TCPRoute and TLSRoute bound to Services (GAMMA mesh routes) or to Gateways (ingress).
package gatewayapi
