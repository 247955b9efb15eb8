package istio

// readAccess reads AuthorizationPolicies into snap.Access.
func (r *reader) readAccess() {}

// readPeerAuthentications reads PeerAuthentications into snap.PeerAuthentications.
func (r *reader) readPeerAuthentications() {}
