// Package linkerd writes the model as Linkerd policy (placeholder doc; replaced below).
package linkerd
