//go:build tools

// Package hack pins modules that meshbridge's packages use, so that every package (and every
// developer working on one) resolves the same versions. It is never built.
package hack

import (
	_ "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/access/v1alpha3"
	_ "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/specs/v1alpha4"
	_ "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	_ "github.com/spf13/cobra"
	_ "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	_ "sigs.k8s.io/controller-runtime/pkg/envtest"
	_ "sigs.k8s.io/controller-runtime/pkg/manager"
	_ "sigs.k8s.io/gateway-api/apis/v1"
	_ "sigs.k8s.io/json"
	_ "sigs.k8s.io/yaml"
)
