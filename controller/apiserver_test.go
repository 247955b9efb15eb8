package controller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
)

// apiServerProcess stops and starts the envtest control plane's kube-apiserver in place: same
// binary, flags, certificates, port and etcd, so that clients built before a restart keep
// working after it. envtest's own Stop/Start would issue new certificates.
type apiServerProcess struct {
	path string
	args []string
	pid  int       // envtest's process, until the first restart
	cmd  *exec.Cmd // ours, after it
}

// findAPIServer finds the kube-apiserver this test process started, through /proc.
func findAPIServer() (*apiServerProcess, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("finding kube-apiserver needs /proc: %w", err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		open, close := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
		if open < 0 || close < open {
			continue
		}
		fields := strings.Fields(string(stat[close+1:]))
		if string(stat[open+1:close]) != "kube-apiserver" || len(fields) < 2 || fields[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil {
			return nil, err
		}
		argv := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		return &apiServerProcess{path: argv[0], args: argv[1:], pid: pid}, nil
	}
	return nil, errors.New("no kube-apiserver child process found")
}

// restart stops kube-apiserver, waits down, and starts it again; it returns once the server
// is ready.
func (p *apiServerProcess) restart(ctx context.Context, down time.Duration) error {
	p.stop()
	time.Sleep(down)
	cmd := exec.Command(p.path, p.args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	p.cmd = cmd
	go func() { _ = cmd.Wait() }()
	cs, err := kubernetes.NewForConfig(testCfg)
	if err != nil {
		return err
	}
	for {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && string(body) == "ok" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver not ready after restart: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stop terminates the running kube-apiserver and waits for it to exit. With clients still
// watching it takes its time over a graceful shutdown (30 s and more), so after a short grace
// period it is killed, as a crash would.
func (p *apiServerProcess) stop() {
	pid := p.pid
	if p.cmd != nil {
		pid = p.cmd.Process.Pid
	}
	if pid == 0 {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(3 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.pid, p.cmd = 0, nil
}
