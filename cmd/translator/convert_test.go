package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/meshbridge/meshbridge/internal/golden"
)

// run executes the root command as a user would and returns stdout, stderr and the exit status.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := newRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	code := 0
	if err := cmd.Execute(); err != nil {
		code = 1
		if ee, ok := err.(*exitError); ok {
			code = ee.code
			if ee.msg != "" {
				errOut.WriteString("translator: " + ee.msg + "\n")
			}
		} else {
			errOut.WriteString("translator: " + err.Error() + "\n")
		}
	}
	return out.String(), errOut.String(), code
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const canary = `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
`

func TestConvertBadInputIsOneLineNamingTheFileAndPrintsNothing(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, content string
		want          []string
	}{
		{"binary garbage", "\x00\x01\x02\xff\xfe garbage \x00", []string{"garbage.bin"}},
		{"truncated YAML", "apiVersion: v1\nkind: Service\nmetadata: {name: x\n", []string{"truncated.yaml"}},
		{"wrong field type", strings.Replace(canary, "{host: reviews}", "{host: reviews}\n      weight: heavy", 1), []string{"wrong.yaml", "VirtualService shop/reviews", "weight"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := c.want[0]
			p := writeFile(t, dir, file, c.content)
			stdout, stderr, code := run(t, "", "convert", "-f", p, "--to", "gatewayapi")
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			if stdout != "" {
				t.Errorf("wrote to stdout on bad input:\n%s", stdout)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
				t.Errorf("error is %d lines, want one:\n%s", n+1, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("error %q does not name %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace in error: %s", stderr)
			}
		})
	}
}

func TestConvertReadsStdinAndPrintsObjects(t *testing.T) {
	stdout, stderr, code := run(t, canary, "convert", "-f", "-", "--to", "gatewayapi", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"kind": "List"`) || !strings.Contains(stdout, `"kind": "HTTPRoute"`) {
		t.Errorf("stdout lacks an HTTPRoute in a List:\n%s", stdout)
	}
}

func TestConvertFailOnSetsTheExitStatus(t *testing.T) {
	// A fault delay has no Gateway API form: a warning finding.
	in := strings.Replace(canary, "  - route:", "  - fault: {delay: {fixedDelay: 1s}}\n    route:", 1)
	cases := []struct {
		name, failOn string
		want         int
	}{
		{"warnings pass under the default error threshold", "error", 0},
		{"warnings fail under the warning threshold", "warning", 2},
		{"never ignores every finding", "never", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := run(t, in, "convert", "-f", "-", "--to", "gatewayapi", "--fail-on", c.failOn)
			if code != c.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, c.want, stderr)
			}
			if !strings.Contains(stderr, "MB4041") {
				t.Errorf("stderr lacks the finding:\n%s", stderr)
			}
		})
	}
}

func TestConvertRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"convert", "-f", "-", "--to", "istio-ambient"},
		{"convert", "-f", "-", "--to", "gatewayapi", "-o", "xml"},
		{"convert", "-f", "-", "--to", "gatewayapi", "--fail-on", "sometimes"},
		{"convert", "--to", "gatewayapi"},
	} {
		stdout, stderr, code := run(t, canary, args...)
		if code != 1 || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// TestConvertBookinfoCorpus runs the acceptance check of the foundation issue on Istio's own
// Bookinfo samples, with the Bookinfo Services and Deployments (mesh routes attach to Services,
// and backendRefs need their ports): a defined status, HTTPRoutes for the mesh VirtualServices,
// findings for the rest, identical bytes on a second run.
func TestConvertBookinfoCorpus(t *testing.T) {
	dir := "../../../shared/corpus/istio-head-samples/bookinfo-networking/"
	workloads := "../../../shared/corpus/istio-head-samples/workloads/bookinfo__platform__kube__bookinfo.yaml"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the shared corpus is not beside the repository (%v)", err)
	}
	out1, err1, code1 := run(t, "", "convert", "-f", dir, "-f", workloads, "--to", "gatewayapi")
	out2, err2, code2 := run(t, "", "convert", "-f", dir, "-f", workloads, "--to", "gatewayapi")
	if out1 != out2 || err1 != err2 || code1 != code2 {
		t.Fatal("two runs over the same input differ")
	}
	if code1 != 0 && code1 != 2 {
		t.Fatalf("exit %d: %s", code1, err1)
	}
	if !strings.Contains(out1, "kind: HTTPRoute") {
		t.Errorf("no HTTPRoute in the output")
	}
	for _, want := range []string{"MB1001", "MB1002"} { // ServiceEntry ignored; duplicates named
		if !strings.Contains(err1, want) {
			t.Errorf("findings lack %s", want)
		}
	}
	// Without the Services, every mesh VirtualService is reported, and nothing is invented.
	out, errs, code := run(t, "", "convert", "-f", dir, "--to", "gatewayapi")
	if code != 2 || strings.Contains(out, "kind: HTTPRoute") || !strings.Contains(errs, "MB4001") {
		t.Errorf("without Services: exit %d, HTTPRoutes written %v, findings:\n%s", code, strings.Contains(out, "kind: HTTPRoute"), errs)
	}
}

func TestExplainPrintsACatalogEntry(t *testing.T) {
	stdout, _, code := run(t, "", "explain", "mb1002")
	if code != 0 || !strings.Contains(stdout, "MB1002 (error): Object defined twice") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
	if _, _, code := run(t, "", "explain", "MB0000"); code != 1 {
		t.Errorf("an unknown code exits %d, want 1", code)
	}
}
