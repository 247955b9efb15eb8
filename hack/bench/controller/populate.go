package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
)

// istioGroups are the API groups whose objects count as Istio objects.
var istioGroups = map[string]bool{"networking.istio.io": true, "security.istio.io": true, "rbac.istio.io": true}

// corpus is what the cluster is filled with.
type corpus struct {
	namespaces []*unstructured.Unstructured // created first
	objects    []*unstructured.Unstructured
	istio      int // Istio objects among them
	policies   []*unstructured.Unstructured
}

// buildCorpus takes whole namespaces of a mixed corpus until it holds want Istio objects.
func buildCorpus(want int) (*corpus, error) {
	files, _, err := corpusgen.Files(corpusgen.Options{Objects: want * 5 / 2, Seed: corpusgen.DefaultSeed})
	if err != nil {
		return nil, err
	}
	c := &corpus{}
	for _, f := range files {
		if c.istio >= want && f.Name != "cluster.yaml" {
			continue
		}
		objs, err := decodeAll(f.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		for _, o := range objs {
			switch gvk := o.GroupVersionKind(); {
			case gvk.Kind == "Namespace":
				c.namespaces = append(c.namespaces, o)
				continue
			case istioGroups[gvk.Group]:
				c.istio++
				if gvk.Kind == "AuthorizationPolicy" {
					c.policies = append(c.policies, o)
				}
			}
			c.objects = append(c.objects, o)
		}
	}
	if c.istio < want {
		return nil, fmt.Errorf("the corpus holds %d Istio objects, fewer than %d", c.istio, want)
	}
	return c, nil
}

func decodeAll(data []byte) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := d.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}

// create writes objs with a few workers in parallel.
func create(ctx context.Context, cl client.Client, objs []*unstructured.Unstructured) error {
	const workers = 8
	work := make(chan *unstructured.Unstructured)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range work {
				if err := cl.Create(ctx, o.DeepCopy()); err != nil {
					errs <- fmt.Errorf("creating %s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err)
					return
				}
			}
		}()
	}
	var err error
loop:
	for _, o := range objs {
		select {
		case work <- o:
		case err = <-errs:
			break loop
		case <-ctx.Done():
			err = ctx.Err()
			break loop
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	if err == nil {
		err = <-errs
	}
	return err
}
