package crdvalidate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func equalJSON(t *testing.T, a, b *unstructured.Unstructured) bool {
	t.Helper()
	ja, err := json.Marshal(a.Object)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b.Object)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

func mkfile(dir, name, content string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
}
