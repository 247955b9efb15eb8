// Package kubetest holds what the controller's integration tests and the controller benchmark
// (hack/bench/controller) both need around a real API server: the CRDs to install, and a
// comparison of a written object with what the API server holds. It is test support, used by
// no shipped code.
package kubetest
