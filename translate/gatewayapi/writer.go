package gatewayapi

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// Name is the writer's --to value and finding stage.
const Name = "gatewayapi"

// Write turns the snapshot's routes into Gateway API objects.
func Write(snap *model.Snapshot, opts emit.Options) ([]*unstructured.Unstructured, model.Findings) {
	return nil, nil
}
