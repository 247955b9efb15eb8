// Package linkerd holds meshbridge's Go types for Linkerd's policy.linkerd.io API, one package
// per version (v1alpha1, v1beta3). Their DeepCopy methods and the CRDs in config/crd/linkerd
// are generated from the types by controller-gen:
//
//	go generate ./apis/linkerd
//
// The generated CRDs describe our types; the official CRDs (../shared/crds/linkerd) remain the
// reference that translate/linkerd's tests validate every emitted object against.
package linkerd

//go:generate go run sigs.k8s.io/controller-tools/cmd/controller-gen@v0.23.0 object crd:crdVersions=v1 paths=./... output:crd:dir=../../config/crd/linkerd
