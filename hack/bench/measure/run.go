package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// program is one command measured on one corpus.
type program struct {
	name    string // "floor" or the target
	target  string // empty for the floor
	args    []string
	runs    []run
	skipped string // why it was not run (or not run again)
	failed  string // the error of a run that failed
	slow    bool   // over -slow times the floor: run once only
}

// run is one process's cost.
type run struct {
	cpu, wall time.Duration
	maxRSS    int64 // bytes
	out       int64 // bytes written to stdout
	timedOut  bool
	err       string
}

func (r run) String() string {
	switch {
	case r.timedOut:
		return "timed out"
	case r.err != "":
		return "failed: " + r.err
	}
	return fmt.Sprintf("cpu %6.2fs  wall %6.2fs  max RSS %6.0f MB  out %5.1f MB", r.cpu.Seconds(), r.wall.Seconds(),
		mb(r.maxRSS), mb(r.out))
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// counter counts what the child writes to stdout.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// tail keeps the end of what the child writes to stderr, for errors.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = slices.Clone(t.b[len(t.b)-2048:])
	}
	return len(p), nil
}

// runOnce runs args and reads its CPU time and peak memory from its rusage.
func runOnce(ctx context.Context, args []string, timeout time.Duration) run {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	out, errs := &counter{}, &tail{}
	cmd.Stdout, cmd.Stderr = out, errs
	start := time.Now()
	err := cmd.Run()
	r := run{wall: time.Since(start), out: out.n}
	if ctx.Err() != nil {
		r.timedOut = true
		return r
	}
	if err != nil {
		var ee *exec.ExitError
		msg := err.Error()
		if errors.As(err, &ee) {
			msg = fmt.Sprintf("%v: %s", err, strings.TrimSpace(string(errs.b)))
		}
		r.err = msg
		return r
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		r.err = "no rusage on this platform"
		return r
	}
	r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	r.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	return r
}

// median of the runs, field by field.
func median(runs []run) run {
	pick := func(get func(run) int64) int64 {
		v := make([]int64, len(runs))
		for i, r := range runs {
			v[i] = get(r)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return run{
		cpu:    time.Duration(pick(func(r run) int64 { return int64(r.cpu) })),
		wall:   time.Duration(pick(func(r run) int64 { return int64(r.wall) })),
		maxRSS: pick(func(r run) int64 { return r.maxRSS }),
		out:    pick(func(r run) int64 { return r.out }),
	}
}
