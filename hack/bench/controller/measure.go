package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// result is what one measurement found.
type result struct {
	istio, objects, namespaces int
	populate, sync             time.Duration
	latencies                  []time.Duration // of the changes that showed
	timeouts                   int             // changes that never showed in the output
	rssSync, rssPeak           int64           // bytes
	outputs                    int
}

// changeTimeout bounds the wait for one change to show in the output.
const changeTimeout = 10 * time.Second

func measure(ctx context.Context, cfg config) (result, error) {
	var res result
	dir, err := os.MkdirTemp("", "meshbridge-controller-bench-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)

	c, err := buildCorpus(cfg.istio)
	if err != nil {
		return res, err
	}
	res.istio, res.objects, res.namespaces = c.istio, len(c.objects)+len(c.namespaces), len(c.namespaces)
	logf("corpus: %d objects, %d of them Istio objects, in %d namespaces", res.objects, res.istio, res.namespaces)
	outputKinds, err := outputKinds(cfg, dir, c)
	if err != nil {
		return res, err
	}

	logf("starting kube-apiserver and etcd")
	env, kubeconfig, err := startEnv(cfg, dir)
	if err != nil {
		return res, err
	}
	defer func() { _ = env.Stop() }()
	restCfg := rest.CopyConfig(env.Config)
	restCfg.QPS, restCfg.Burst = 1000, 2000
	cl, err := client.New(restCfg, client.Options{})
	if err != nil {
		return res, err
	}
	time.Sleep(2 * time.Second) // kube-apiserver delays the first create against a new CRD
	start := time.Now()
	if err := create(ctx, cl, c.namespaces); err != nil {
		return res, err
	}
	if err := create(ctx, cl, c.objects); err != nil {
		return res, err
	}
	res.populate = time.Since(start)
	logf("created %d objects in %s", res.objects, res.populate.Round(time.Millisecond))

	var gvrs []schema.GroupVersionResource
	for _, gvk := range outputKinds {
		m, err := cl.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return res, fmt.Errorf("the API server does not serve %s, which --to %s writes: %w", gvk, cfg.to, err)
		}
		gvrs = append(gvrs, m.Resource)
	}
	watch, err := watchOutputs(ctx, restCfg, gvrs)
	if err != nil {
		return res, err
	}

	proc, metricsURL, err := startController(ctx, cfg, dir, kubeconfig)
	if err != nil {
		return res, err
	}
	defer proc.stop()
	start = time.Now()
	if err := waitSynced(ctx, metricsURL, res.namespaces, proc); err != nil {
		return res, err
	}
	res.sync = time.Since(start)
	res.rssSync, _ = procMemory(proc.cmd.Process.Pid)
	res.outputs = watch.objects()
	logf("initial sync in %s: %d output objects, controller RSS %.0f MB", res.sync.Round(time.Millisecond),
		res.outputs, float64(res.rssSync)/(1<<20))

	targets := changeTargets(c.policies, cfg.changes)
	for i, p := range targets {
		lat, err := change(ctx, cl, watch, p, i)
		if err != nil {
			return res, err
		}
		if lat < 0 {
			res.timeouts++
			continue
		}
		res.latencies = append(res.latencies, lat)
	}
	_, res.rssPeak = procMemory(proc.cmd.Process.Pid)
	logf("%d changes: %d showed, %d did not within %s", len(targets), len(res.latencies), res.timeouts, changeTimeout)
	return res, nil
}

// outputKinds runs convert on the corpus to learn which kinds the controller will write.
func outputKinds(cfg config, dir string, c *corpus) ([]schema.GroupVersionKind, error) {
	var buf bytes.Buffer
	for _, o := range append(slices.Clone(c.namespaces), c.objects...) {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		buf.WriteString("---\n")
		buf.Write(b)
	}
	in := filepath.Join(dir, "corpus.yaml")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	out, err := exec.Command(cfg.translator, "convert", "-f", in, "--to", cfg.to, "--fail-on", "never", "-o", "json").Output()
	if err != nil {
		return nil, fmt.Errorf("%s convert --to %s: %w", cfg.translator, cfg.to, err)
	}
	var list unstructured.UnstructuredList
	if err := list.UnmarshalJSON(out); err != nil {
		return nil, err
	}
	seen := map[schema.GroupVersionKind]bool{}
	var kinds []schema.GroupVersionKind
	for _, o := range list.Items {
		if gvk := o.GroupVersionKind(); !seen[gvk] {
			seen[gvk] = true
			kinds = append(kinds, gvk)
		}
	}
	if len(kinds) == 0 {
		return nil, fmt.Errorf("convert --to %s writes nothing for this corpus", cfg.to)
	}
	return kinds, nil
}

// controllerProcess is `translator run`.
type controllerProcess struct {
	cmd  *exec.Cmd
	done chan error
	log  string
}

func (p *controllerProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func startController(ctx context.Context, cfg config, dir, kubeconfig string) (*controllerProcess, string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := l.Addr().String()
	l.Close()
	logPath := filepath.Join(dir, "controller.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	cmd := exec.CommandContext(ctx, cfg.translator, "run", "--to", cfg.to, "--kubeconfig", kubeconfig,
		"--metrics-bind-address", addr, "--health-probe-bind-address", "0")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	p := &controllerProcess{cmd: cmd, done: make(chan error, 1), log: logPath}
	go func() { p.done <- cmd.Wait(); logFile.Close() }()
	return p, "http://" + addr + "/metrics", nil
}

// waitSynced waits until the controller has translated at least every namespace once, its
// work queues are empty and no translation happened for a second.
func waitSynced(ctx context.Context, url string, namespaces int, p *controllerProcess) error {
	last, stable := -1.0, 0
	for {
		select {
		case err := <-p.done:
			tail, _ := os.ReadFile(p.log)
			if len(tail) > 2000 {
				tail = tail[len(tail)-2000:]
			}
			return fmt.Errorf("the controller exited: %v\n%s", err, tail)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
		m, err := scrape(url)
		if err != nil {
			continue // not listening yet
		}
		translations, depth := m["meshbridge_translations_total"], m["workqueue_depth"]
		if translations >= float64(namespaces) && depth == 0 && translations == last {
			stable++
			if stable >= 4 {
				return nil
			}
		} else {
			stable = 0
		}
		last = translations
	}
}

// scrape sums each metric of a Prometheus text page over its labels.
func scrape(url string) (map[string]float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	s := bufio.NewScanner(resp.Body)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		line := s.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name = name[:i]
			if j := strings.LastIndexByte(line, '}'); j >= 0 {
				rest = strings.TrimSpace(line[j+1:])
			}
		}
		if v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64); err == nil {
			out[name] += v
		}
	}
	return out, s.Err()
}

// changeTargets picks n ALLOW policies with paths and no conditions, spread over the corpus.
func changeTargets(policies []*unstructured.Unstructured, n int) []*unstructured.Unstructured {
	var ok []*unstructured.Unstructured
	for _, p := range policies {
		action, _, _ := unstructured.NestedString(p.Object, "spec", "action")
		rules, _, _ := unstructured.NestedSlice(p.Object, "spec", "rules")
		if action != "ALLOW" || len(rules) == 0 {
			continue
		}
		r, _ := rules[0].(map[string]any)
		if _, when := r["when"]; when || len(pathsOf(r)) == 0 {
			continue
		}
		ok = append(ok, p)
	}
	if len(ok) <= n {
		return ok
	}
	out := make([]*unstructured.Unstructured, 0, n)
	for i := range n {
		out = append(out, ok[i*len(ok)/n])
	}
	return out
}

func pathsOf(rule map[string]any) []any {
	to, _ := rule["to"].([]any)
	if len(to) == 0 {
		return nil
	}
	t, _ := to[0].(map[string]any)
	op, _ := t["operation"].(map[string]any)
	paths, _ := op["paths"].([]any)
	return paths
}

// change replaces the first path of p's first rule with a new one and returns how long the
// controller took to write an output holding it, or -1 when it did not within changeTimeout.
func change(ctx context.Context, cl client.Client, w *outputWatch, p *unstructured.Unstructured, i int) (time.Duration, error) {
	marker := fmt.Sprintf("bench%03d", i)
	cur := &unstructured.Unstructured{}
	cur.SetGroupVersionKind(p.GroupVersionKind())
	if err := cl.Get(ctx, client.ObjectKeyFromObject(p), cur); err != nil {
		return 0, err
	}
	rules, _, _ := unstructured.NestedSlice(cur.Object, "spec", "rules")
	r := rules[0].(map[string]any)
	pathsOf(r)[0] = "/" + marker + "/*"
	if err := unstructured.SetNestedSlice(cur.Object, rules, "spec", "rules"); err != nil {
		return 0, err
	}
	seen := w.expect(marker)
	start := time.Now()
	if err := cl.Update(ctx, cur); err != nil {
		w.forget(marker)
		return 0, err
	}
	select {
	case t := <-seen:
		return t.Sub(start), nil
	case <-time.After(changeTimeout):
		w.forget(marker)
		return -1, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// procMemory returns a process's resident memory now and at its peak.
func procMemory(pid int) (rss, peak int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		kb, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			rss = kb * 1024
		case "VmHWM":
			peak = kb * 1024
		}
	}
	return rss, peak
}
