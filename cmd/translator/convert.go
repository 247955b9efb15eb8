package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/translate/istio"
	"github.com/meshbridge/meshbridge/translate/linkerd"
	"github.com/meshbridge/meshbridge/translate/smi"
)

// Exit statuses of convert.
const (
	exitOK       = 0
	exitBadInput = 1 // bad flags, unreadable or invalid input: nothing is written to stdout
	exitFindings = 2 // translated, but findings reached --fail-on
)

type convertOptions struct {
	files                                  []string
	to, mesh, channel                      string
	output, report, failOn                 string
	namespace                              string
	rootNamespace, clusterDomain, trustDom string
}

func newConvertCommand() *cobra.Command {
	o := &convertOptions{}
	cmd := &cobra.Command{
		Use:   "convert -f PATH... --to TARGET",
		Short: "Translate Istio objects from files into objects for another mesh",
		Long: `convert reads Istio objects and the Kubernetes objects they refer to (Services, Deployments,
ServiceAccounts, …) from files, folders (recursively: .yaml, .yml, .json) or stdin (-f -), and prints
the translated objects on stdout, sorted by kind, namespace and name. Findings — what was dropped,
approximated or narrowed — go to stderr.

Include the Services and workloads with the Istio objects: hosts resolve to Services, and workload
selectors resolve to the service accounts and ports that SMI and Linkerd need.

Exit status: 0 translated; 1 bad flags or bad input (nothing is printed on stdout); 2 translated,
but a finding reached --fail-on (default: any error finding).

Targets (--to): ` + strings.Join(translate.Targets(), ", ") + `.`,
		Example: `  # Mesh routes for Gateway API (GAMMA) from a folder of manifests
  translator convert -f manifests/ --to gatewayapi

  # SMI access objects for Open Service Mesh, findings as JSON
  translator convert -f policies.yaml -f workloads.yaml --to smi --mesh osm --report json

  # From stdin, failing only on findings that narrowed access or refused objects
  kubectl get vs,dr,svc,deploy -A -o yaml | translator convert -f - --to gatewayapi --fail-on error`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			code, msg := runConvert(o, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
			if code != exitOK {
				return &exitError{code: code, msg: msg}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.files, "filename", "f", nil, "file, folder or - for stdin (repeatable)")
	f.StringVar(&o.to, "to", "", "target: "+strings.Join(translate.Targets(), "|"))
	f.StringVar(&o.mesh, "mesh", "", "destination mesh profile (e.g. osm, traefik-mesh, linkerd-smi, linkerd, cilium, kuma, istio)")
	f.StringVar(&o.channel, "channel", "standard", "Gateway API release channel: standard|experimental")
	f.StringVarP(&o.output, "output", "o", "yaml", "object format: yaml|json")
	f.StringVar(&o.report, "report", "text", "findings format on stderr: text|json|markdown")
	f.StringVar(&o.failOn, "fail-on", "error", "exit 2 when a finding has this severity or higher: error|warning|never")
	f.StringVarP(&o.namespace, "namespace", "n", "default", "namespace for objects that name none")
	f.StringVar(&o.rootNamespace, "root-namespace", "istio-system", "Istio root namespace (mesh-wide policies)")
	f.StringVar(&o.clusterDomain, "cluster-domain", "cluster.local", "cluster DNS domain")
	f.StringVar(&o.trustDom, "trust-domain", "cluster.local", "mesh identity trust domain")
	_ = cmd.MarkFlagRequired("filename")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

// runConvert does the work of convert and returns the exit status and, for status 1, the
// one-line error. Objects are rendered completely before anything is written, so bad input
// never leaves partial output on stdout.
func runConvert(o *convertOptions, stdin io.Reader, stdout, stderr io.Writer) (int, string) {
	if err := o.validate(); err != nil {
		return exitBadInput, err.Error()
	}
	inv, loadFindings, err := load.Load(o.files, stdin, load.Options{Namespace: o.namespace})
	if err != nil {
		return exitBadInput, err.Error()
	}
	docs, translated, err := o.translate(inv)
	if err != nil {
		return exitBadInput, err.Error()
	}
	if err := docs.err(); err != nil {
		return exitBadInput, err.Error()
	}
	findings := append(loadFindings, translated...).Sorted()
	if err := docs.writeTo(stdout); err != nil {
		return exitBadInput, err.Error()
	}
	if err := printFindings(stderr, findings, o.report); err != nil {
		return exitBadInput, err.Error()
	}
	if o.failOn != "never" {
		threshold, _ := model.ParseSeverity(o.failOn)
		if m, ok := findings.Max(); ok && m >= threshold {
			return exitFindings, ""
		}
	}
	return exitOK, ""
}

// streams are the writers that can hand over objects one by one (see linkerd.Stream).
var streams = map[string]func(*model.Snapshot, emit.Options, func(*unstructured.Unstructured)) model.Findings{
	linkerd.Name: linkerd.Stream,
	smi.Name:     smi.Stream,
}

// translate is translate.Translate (the reader, then the writer, objects sorted, findings
// sorted) with the objects rendered as they come, so that convert's memory peaks lower: the
// inventory is garbage once read, and each object once rendered. Held at the peak are the
// model and, for a writer that streams, the text of the objects (a seventh of their maps),
// else the writer's objects, released one by one as they are rendered.
// TestConvertPipelineMatchesTranslate holds it to translate.Translate.
func (o *convertOptions) translate(inv *inventory.Inventory) (*documents, model.Findings, error) {
	write, ok := translate.Writers[o.to]
	if !ok {
		return nil, nil, fmt.Errorf("unknown target %q (want one of %v)", o.to, translate.Targets())
	}
	snap, findings := istio.Read(inv, istio.Options{RootNamespace: o.rootNamespace, ClusterDomain: o.clusterDomain, TrustDomain: o.trustDom})
	opts := emit.Options{Mesh: o.mesh, Channel: o.channel}
	docs := newDocuments(o.output)
	var wf model.Findings
	if stream, ok := streams[o.to]; ok {
		wf = stream(snap, opts, docs.add)
	} else {
		var objs []*unstructured.Unstructured
		objs, wf = write(snap, opts)
		for i, obj := range objs {
			docs.add(obj)
			objs[i] = nil
		}
	}
	return docs, append(findings, wf...).Sorted(), nil
}

func (o *convertOptions) validate() error {
	for _, c := range []struct {
		flag, value string
		allowed     []string
	}{
		{"--to", o.to, translate.Targets()},
		{"--output", o.output, []string{"yaml", "json"}},
		{"--report", o.report, []string{"text", "json", "markdown"}},
		{"--fail-on", o.failOn, []string{"error", "warning", "never"}},
		{"--channel", o.channel, []string{"standard", "experimental"}},
	} {
		if !slices.Contains(c.allowed, c.value) {
			return fmt.Errorf("%s %q is not one of %s", c.flag, c.value, strings.Join(c.allowed, ", "))
		}
	}
	return nil
}
