package crdvalidate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsinstall "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// scheme converts v1beta1 CRDs to v1 through the internal version, with v1beta1 defaults applied,
// exactly as an API server that still served v1beta1 would have stored them.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	apiextensionsinstall.Install(s)
	return s
}()

// ReadCRDs reads every CustomResourceDefinition in paths: YAML files, or directories whose
// .yaml, .yml and .json files are read in name order (not recursively). A file may hold several
// documents; documents that are not CRDs are skipped. apiextensions.k8s.io/v1beta1 CRDs are
// converted to v1. Errors name the file and the 1-based document.
func ReadCRDs(paths ...string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, p := range paths {
		files, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			got, err := readFile(f)
			if err != nil {
				return nil, err
			}
			crds = append(crds, got...)
		}
	}
	return crds, nil
}

func expand(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
			files = append(files, filepath.Join(p, e.Name()))
		}
	}
	slices.Sort(files)
	return files, nil
}

func readFile(name string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var crds []*apiextensionsv1.CustomResourceDefinition
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for doc := 1; ; doc++ {
		raw, err := r.Read()
		if errors.Is(err, io.EOF) {
			return crds, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, doc, err)
		}
		crd, err := decodeCRD(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, doc, err)
		}
		if crd != nil {
			crds = append(crds, crd)
		}
	}
}

// decodeCRD returns the document as a v1 CRD, or nil when it is empty or not a CRD.
func decodeCRD(raw []byte) (*apiextensionsv1.CustomResourceDefinition, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, err
	}
	var head struct{ APIVersion, Kind string }
	if err := yaml.Unmarshal(js, &head); err != nil || head.Kind != "CustomResourceDefinition" {
		return nil, nil // not an object, or not a CRD: nothing to load
	}
	switch head.APIVersion {
	case apiextensionsv1.SchemeGroupVersion.String():
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(js, crd); err != nil {
			return nil, err
		}
		scheme.Default(crd)
		return crd, nil
	case apiextensionsv1beta1.SchemeGroupVersion.String():
		old := &apiextensionsv1beta1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(js, old); err != nil {
			return nil, err
		}
		scheme.Default(old)
		internal := &apiextensions.CustomResourceDefinition{}
		if err := scheme.Convert(old, internal, nil); err != nil {
			return nil, fmt.Errorf("CRD %s: converting v1beta1 to v1: %w", old.Name, err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := scheme.Convert(internal, crd, nil); err != nil {
			return nil, fmt.Errorf("CRD %s: converting v1beta1 to v1: %w", old.Name, err)
		}
		crd.APIVersion, crd.Kind = apiextensionsv1.SchemeGroupVersion.String(), "CustomResourceDefinition"
		// v1beta1 allowed schemas that v1 forbids; say so here, where the cause is known.
		for _, v := range crd.Spec.Versions {
			if _, err := compile(v); err != nil {
				return nil, fmt.Errorf("apiextensions v1beta1 CRD %s version %s cannot be used (Kubernetes 1.22+ "+
					"installs only v1 CRDs, which need a structural schema; use the project's v1 CRDs instead): %w",
					crd.Name, v.Name, err)
			}
		}
		return crd, nil
	default:
		return nil, fmt.Errorf("CustomResourceDefinition has apiVersion %q, want %s or %s",
			head.APIVersion, apiextensionsv1.SchemeGroupVersion, apiextensionsv1beta1.SchemeGroupVersion)
	}
}

// Load reads the CRDs in paths (see ReadCRDs) and builds a Validator from them.
func Load(paths ...string) (*Validator, error) {
	crds, err := ReadCRDs(paths...)
	if err != nil {
		return nil, err
	}
	if len(crds) == 0 {
		return nil, fmt.Errorf("no CustomResourceDefinition found in %s", strings.Join(paths, ", "))
	}
	return New(crds...)
}
