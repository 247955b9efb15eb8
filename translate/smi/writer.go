package smi

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// Name is the writer's --to value and finding stage.
const Name = "smi"

// Write turns the snapshot's access policies and weighted routes into SMI objects.
func Write(snap *model.Snapshot, opts emit.Options) ([]*unstructured.Unstructured, model.Findings) {
	return nil, nil
}
