// Package gatewayapi routes requests as a GAMMA implementation reads the Gateway API routes a
// translation emitted: HTTPRoutes and TCPRoutes whose parent is a Service.
//
// Routes in the Service's namespace (producer routes) apply to every client; routes in
// another namespace (consumer routes) apply to that namespace's clients and replace the
// producer routes for them. Among the matches of every applicable rule the best one decides:
// an Exact path before the longest PathPrefix (element-wise: /foo matches /foo/bar, not
// /foobar), then a method, then the most header matches, then the most query parameter
// matches, then the route's name and the rule's and match's position. Where a
// RegularExpression path ranks is up to the implementation: Readings gives Istio's (below
// every PathPrefix), Linkerd's (by matched length, leftmost-first regex covering the whole
// path), or, for any other mesh, both orders, and verify reports a difference under either.
// With routes and no matching rule a request gets 404; without routes it reaches the Service's
// own endpoints. Requests a GRPCRoute or TLSRoute attached to the Service may take are left
// undecided (not compared). Gateway API has no authorization: this package routes only.
package gatewayapi
