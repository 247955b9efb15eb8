package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/translate/istio"
	"github.com/meshbridge/meshbridge/verify"
)

// exitWidened is verify's status when the report fails --fail-on (by default: a request the
// translation allows and Istio denies).
const exitWidened = 2

type verifyOptions struct {
	files, translated                      []string
	to, mesh, channel, report, failOn      string
	namespace                              string
	rootNamespace, clusterDomain, trustDom string
	linkerdDefault                         string
	linkerdNetworks                        []string
}

func newVerifyCommand() *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify -f ISTIO... (--to TARGET | -t TRANSLATED...)",
		Short: "Prove a translation: compare Istio's decisions with the translated objects' on every request class",
		Long: `verify evaluates Istio's decision and the translated objects' decision, under the destination's own
semantics, on every request class the policies and routes distinguish: each identity, namespace,
caller without mTLS, IP block, port, method, path (exact, prefix, suffix and template hits and
misses) and header value they mention, plus an outsider for each. It reports, per destination
workload, the requests the translation widened (it allows what Istio denies: an error) or narrowed
(a warning), and per Service the requests it routes elsewhere, each with a concrete example and
the finding codes that reported it.

With --to, the Istio input is translated first. With -t, the objects to check are read from files
(produced elsewhere, or edited by hand); the target is then taken from their API groups unless
--to names it.

Exit status: 0 nothing widened; 1 bad flags or bad input; 2 the report fails --fail-on
(widened: any widened request, the default; unreported: also a narrowed or rerouted request no
finding reported; any: any difference; never).

Targets: ` + strings.Join(verify.Targets, ", ") + `. Gateway API has no authorization: for gatewayapi,
verify checks routing only.`,
		Example: `  # Translate for OSM and prove nothing is widened
  translator verify -f policies/ --to smi --mesh osm

  # Check Linkerd objects written by hand against the Istio policies they replace
  translator verify -f istio/ -t linkerd/ --report markdown

  # Fail CI on any difference the translation did not report
  translator verify -f manifests/ --to linkerd --fail-on unreported`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			code, msg := runVerify(o, cmd.InOrStdin(), cmd.OutOrStdout())
			if code != exitOK {
				return &exitError{code: code, msg: msg}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.files, "filename", "f", nil, "Istio input: file, folder or - for stdin (repeatable)")
	f.StringArrayVarP(&o.translated, "translated", "t", nil, "translated objects to check instead of translating: file, folder or - (repeatable)")
	f.StringVar(&o.to, "to", "", "target: "+strings.Join(verify.Targets, "|")+" (translate for it, or read -t objects as it)")
	f.StringVar(&o.mesh, "mesh", "", "destination mesh profile (e.g. osm, traefik-mesh, linkerd-smi, linkerd, istio)")
	f.StringVar(&o.channel, "channel", "standard", "Gateway API release channel: standard|experimental")
	f.StringVar(&o.report, "report", "text", "report format on stdout: "+strings.Join(verify.Formats, "|"))
	f.StringVar(&o.failOn, "fail-on", "widened", "exit 2 when the report has: "+strings.Join(verify.FailLevels, "|"))
	f.StringVarP(&o.namespace, "namespace", "n", "default", "namespace for objects that name none")
	f.StringVar(&o.rootNamespace, "root-namespace", "istio-system", "Istio root namespace (mesh-wide policies)")
	f.StringVar(&o.clusterDomain, "cluster-domain", "cluster.local", "cluster DNS domain")
	f.StringVar(&o.trustDom, "trust-domain", "cluster.local", "mesh identity trust domain")
	f.StringVar(&o.linkerdDefault, "linkerd-default-policy", "all-unauthenticated", "Linkerd cluster default inbound policy")
	f.StringSliceVar(&o.linkerdNetworks, "linkerd-cluster-networks", nil, "Linkerd cluster networks (default Linkerd's private ranges)")
	_ = cmd.MarkFlagRequired("filename")
	return cmd
}

// runVerify does the work of verify and returns the exit status and, for status 1, the
// one-line error. The report is rendered completely before anything is written.
func runVerify(o *verifyOptions, stdin io.Reader, stdout io.Writer) (int, string) {
	if err := o.validate(); err != nil {
		return exitBadInput, err.Error()
	}
	inv, findings, err := load.Load(o.files, stdin, load.Options{Namespace: o.namespace})
	if err != nil {
		return exitBadInput, err.Error()
	}
	readOpts := istio.Options{RootNamespace: o.rootNamespace, ClusterDomain: o.clusterDomain, TrustDomain: o.trustDom}
	in := verify.Input{Inventory: inv}
	target := o.to
	if len(o.translated) > 0 {
		objs, err := verify.ReadObjects(o.translated, stdin)
		if err != nil {
			return exitBadInput, err.Error()
		}
		if target == "" {
			if target, err = inferTarget(objs); err != nil {
				return exitBadInput, err.Error()
			}
		}
		snap, rf := istio.Read(inv, readOpts)
		in.Snapshot, in.Objects, in.Findings = snap, objs, append(findings, rf...)
	} else {
		res, err := translate.Translate(inv, translate.Options{To: target, Read: readOpts,
			Write: emit.Options{Mesh: o.mesh, Channel: o.channel}})
		if err != nil {
			return exitBadInput, err.Error()
		}
		in.Snapshot, in.Objects, in.Findings = res.Snapshot, res.Objects, append(findings, res.Findings...)
	}
	opts := verify.Options{Target: target, Mesh: o.mesh, Read: readOpts}
	opts.Linkerd.DefaultPolicy = o.linkerdDefault
	opts.Linkerd.ClusterNetworks = o.linkerdNetworks
	rep, err := verify.Run(in, opts)
	if err != nil {
		return exitBadInput, err.Error()
	}
	var out bytes.Buffer
	if err := rep.Write(&out, o.report); err != nil {
		return exitBadInput, err.Error()
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return exitBadInput, err.Error()
	}
	if rep.Fails(o.failOn) {
		return exitWidened, ""
	}
	return exitOK, ""
}

func (o *verifyOptions) validate() error {
	if len(o.translated) == 0 && o.to == "" {
		return fmt.Errorf("name the target with --to, or the translated objects with -t")
	}
	if len(o.translated) == 0 && !slices.Contains(translate.Targets(), o.to) {
		return fmt.Errorf("--to %q is not one of %s", o.to, strings.Join(translate.Targets(), ", "))
	}
	if o.to != "" && !slices.Contains(verify.Targets, o.to) {
		return fmt.Errorf("--to %q is not one of %s", o.to, strings.Join(verify.Targets, ", "))
	}
	if slices.Contains(o.files, "-") && slices.Contains(o.translated, "-") {
		return fmt.Errorf("only one of -f and -t can read stdin")
	}
	for _, c := range []struct {
		flag, value string
		allowed     []string
	}{
		{"--report", o.report, verify.Formats},
		{"--fail-on", o.failOn, verify.FailLevels},
		{"--channel", o.channel, []string{"standard", "experimental"}},
		{"--linkerd-default-policy", o.linkerdDefault, []string{"all-unauthenticated", "all-authenticated",
			"cluster-unauthenticated", "cluster-authenticated", "deny", "audit"}},
	} {
		if !slices.Contains(c.allowed, c.value) {
			return fmt.Errorf("%s %q is not one of %s", c.flag, c.value, strings.Join(c.allowed, ", "))
		}
	}
	return nil
}

// inferTarget names the target translated objects are for, from their API groups.
func inferTarget(objs []*unstructured.Unstructured) (string, error) {
	found := map[string]bool{}
	for _, o := range objs {
		gv, _ := schema.ParseGroupVersion(o.GetAPIVersion())
		switch {
		case strings.HasSuffix(gv.Group, ".smi-spec.io"):
			found["smi"] = true
		case gv.Group == "policy.linkerd.io":
			found["linkerd"] = true
		case gv.Group == "security.istio.io" || gv.Group == "networking.istio.io":
			found["istio"] = true
		case gv.Group == "gateway.networking.k8s.io":
			found["gatewayapi"] = true
		}
	}
	if found["linkerd"] {
		delete(found, "gatewayapi") // Linkerd output carries Gateway API routes too
	}
	var names []string
	for n := range found {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) != 1 {
		return "", fmt.Errorf("cannot tell the target of the translated objects (API groups suggest %v): name it with --to", names)
	}
	return names[0], nil
}
