package istio

// readDestinationRules indexes DestinationRule subsets by host.
func (r *reader) readDestinationRules() {}

// readGateways reads Istio Gateways into snap.Gateways.
func (r *reader) readGateways() {}

// readVirtualServices reads VirtualServices into snap.Routes.
func (r *reader) readVirtualServices() {}
