package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
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
	synced                     bool            // the sync finished within -sync-timeout
	translations               float64         // namespace translations done by the end of the sync (or its timeout)
	expected, missing          int             // outputs convert writes for the corpus; those not in the cluster
	latencies                  []time.Duration // of the changes that showed
	timeouts                   int             // changes that never showed in the output
	cut                        int             // changes not made for lack of time
	rssSync, rssPeak           int64           // bytes
	outputs                    int
	verified                   bool     // the outputs were compared with convert's
	mismatched                 []string // outputs that differ from convert's (the first few)
	mismatches                 int
	requests                   map[string]float64 // the controller's API requests by method, during the sync
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
	logf("translating it with convert, for the outputs to expect")
	outputKinds, expected, err := expectedOutputs(cfg, dir, c)
	if err != nil {
		return res, err
	}
	res.expected = len(expected)
	if cfg.profiles != "" {
		if err := os.MkdirAll(cfg.profiles, 0o755); err != nil {
			return res, err
		}
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
	syncCtx, cancel := context.WithTimeout(ctx, cfg.syncTimeout)
	syncProfile := proc.cpuProfile(syncCtx, cfg, "sync-cpu.pprof", 5*time.Second, 30*time.Second)
	res.translations, err = waitSynced(syncCtx, metricsURL, watch, expected, proc)
	cancel()
	res.sync = time.Since(start)
	res.rssSync, res.rssPeak = procMemory(proc.cmd.Process.Pid)
	res.outputs, res.missing = watch.objects(expected)
	res.requests, _ = requestsByMethod(metricsURL)
	<-syncProfile
	proc.heapProfile(cfg, "sync-heap.pprof")
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		logf("the initial sync did not finish within %s: %d of %d outputs missing after %.0f namespace translations; changes not measured",
			cfg.syncTimeout, res.missing, res.expected, res.translations)
		return res, nil
	case err != nil:
		return res, err
	}
	res.synced = true
	logf("initial sync in %s: %d output objects, controller RSS %.0f MB, requests %v", res.sync.Round(time.Millisecond),
		res.outputs, float64(res.rssSync)/(1<<20), res.requests)
	time.Sleep(2 * time.Second) // the last updates of the sync
	res.mismatches, res.mismatched = watch.compare(expected)
	res.verified = true
	logf("outputs compared with convert's: %d of %d differ", res.mismatches, len(expected))

	before, _ := scrape(metricsURL)
	targets := changeTargets(c.policies, cfg.changes)
	changesCtx, stopProfile := context.WithCancel(ctx)
	defer stopProfile()
	changesProfile := proc.cpuProfile(changesCtx, cfg, "changes-cpu.pprof", 0, time.Duration(len(targets))*300*time.Millisecond)
	deadline, hasDeadline := ctx.Deadline()
	for i, p := range targets {
		if hasDeadline && time.Until(deadline) < changeTimeout+30*time.Second {
			res.cut = len(targets) - i
			logf("out of time (-timeout): %d changes not made", res.cut)
			break
		}
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
	stopProfile()
	if after, err := scrape(metricsURL); err == nil && before != nil {
		per := func(name string) (float64, float64) {
			n := after[name+"_count"] - before[name+"_count"]
			return n, 1000 * (after[name+"_sum"] - before[name+"_sum"]) / max(n, 1)
		}
		n, rec := per("meshbridge_reconcile_duration_seconds")
		_, queued := per("workqueue_queue_duration_seconds")
		logf("during the changes: %.0f reconciles, %.1f ms each on average, %.1f ms in the queue on average; slowest changes %v",
			n, rec, queued, slowest(res.latencies, 5))
	}
	<-changesProfile
	proc.heapProfile(cfg, "end-heap.pprof")
	_, res.rssPeak = procMemory(proc.cmd.Process.Pid)
	logf("%d changes: %d showed, %d did not within %s", len(targets)-res.cut, len(res.latencies), res.timeouts, changeTimeout)
	return res, nil
}

// expectedOutputs runs convert on the corpus: the controller's sync is done when the cluster
// holds every object convert writes (the two run the same translation). It returns their kinds
// and the objects by key.
func expectedOutputs(cfg config, dir string, c *corpus) ([]schema.GroupVersionKind, map[string]*unstructured.Unstructured, error) {
	var buf bytes.Buffer
	for _, o := range append(slices.Clone(c.namespaces), c.objects...) {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, nil, err
		}
		buf.WriteString("---\n")
		buf.Write(b)
	}
	in := filepath.Join(dir, "corpus.yaml")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		return nil, nil, err
	}
	out, err := exec.Command(cfg.translator, "convert", "-f", in, "--to", cfg.to, "--fail-on", "never", "-o", "json").Output()
	if err != nil {
		return nil, nil, fmt.Errorf("%s convert --to %s: %w", cfg.translator, cfg.to, err)
	}
	var list unstructured.UnstructuredList
	if err := list.UnmarshalJSON(out); err != nil {
		return nil, nil, err
	}
	seen := map[schema.GroupVersionKind]bool{}
	var kinds []schema.GroupVersionKind
	keys := map[string]*unstructured.Unstructured{}
	for i := range list.Items {
		o := &list.Items[i]
		if gvk := o.GroupVersionKind(); !seen[gvk] {
			seen[gvk] = true
			kinds = append(kinds, gvk)
		}
		keys[objectKey(o.GetKind(), o.GetNamespace(), o.GetName())] = o
	}
	if len(kinds) == 0 {
		return nil, nil, fmt.Errorf("convert --to %s writes nothing for this corpus", cfg.to)
	}
	return kinds, keys, nil
}

// controllerProcess is `translator run`.
type controllerProcess struct {
	cmd   *exec.Cmd
	done  chan error
	log   string
	pprof string // base URL of its pprof endpoint, when profiling
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
	if cfg.profiles != "" {
		logPath = filepath.Join(cfg.profiles, "controller.log") // kept beside the profiles
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	args := []string{"run", "--to", cfg.to, "--kubeconfig", kubeconfig,
		"--metrics-bind-address", addr, "--health-probe-bind-address", "0"}
	pprof := ""
	if cfg.profiles != "" {
		pl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, "", err
		}
		pprofAddr := pl.Addr().String()
		pl.Close()
		args = append(args, "--pprof-bind-address", pprofAddr)
		pprof = "http://" + pprofAddr + "/debug/pprof/"
	}
	cmd := exec.CommandContext(ctx, cfg.translator, append(args, cfg.args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	p := &controllerProcess{cmd: cmd, done: make(chan error, 1), log: logPath, pprof: pprof}
	go func() { p.done <- cmd.Wait(); logFile.Close() }()
	return p, "http://" + addr + "/metrics", nil
}

// waitSynced waits until the cluster holds every expected output. It returns the number of
// namespace translations done by then.
func waitSynced(ctx context.Context, url string, w *outputWatch, expected map[string]*unstructured.Unstructured, p *controllerProcess) (float64, error) {
	translations, goroutines, heap := 0.0, 0.0, 0.0
	progress := time.NewTicker(30 * time.Second)
	defer progress.Stop()
	for {
		if m, err := scrape(url); err == nil {
			translations = m["meshbridge_translations_total"]
			goroutines, heap = m["go_goroutines"], m["go_memstats_heap_inuse_bytes"]
		}
		if _, missing := w.objects(expected); missing == 0 {
			return translations, nil
		}
		select {
		case err := <-p.done:
			p.done <- err // for stop
			tail, _ := os.ReadFile(p.log)
			if len(tail) > 2000 {
				tail = tail[len(tail)-2000:]
			}
			return translations, fmt.Errorf("the controller exited: %v\n%s", err, tail)
		case <-ctx.Done():
			return translations, ctx.Err()
		case <-progress.C:
			rss, _ := procMemory(p.cmd.Process.Pid)
			_, missing := w.objects(expected)
			logf("  syncing: %d of %d outputs missing, %.0f namespace translations, controller RSS %.0f MB (heap in use %.0f MB, %.0f goroutines)",
				missing, len(expected), translations, float64(rss)/(1<<20), heap/(1<<20), goroutines)
		case <-time.After(250 * time.Millisecond):
		}
	}
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

// slowest returns the n longest durations, longest first, rounded to the millisecond.
func slowest(d []time.Duration, n int) []time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	slices.Reverse(s)
	s = s[:min(n, len(s))]
	for i := range s {
		s[i] = s[i].Round(time.Millisecond)
	}
	return s
}
