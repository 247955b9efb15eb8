package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine describes where the figures were measured.
type machine struct {
	cpus                  int
	cpuModel              string
	memory                int64 // bytes
	goVersion             string
	date                  time.Time
	loadBefore, loadAfter string
}

func (m machine) String() string {
	return fmt.Sprintf("%d CPUs (%s), %.1f GiB memory, %s, %s/%s; load average %s before, %s after",
		m.cpus, m.cpuModel, float64(m.memory)/(1<<30), m.goVersion, runtime.GOOS, runtime.GOARCH, m.loadBefore, m.loadAfter)
}

func machineInfo() machine {
	m := machine{cpus: runtime.NumCPU(), cpuModel: "unknown CPU", goVersion: runtime.Version(), date: time.Now().UTC(), loadBefore: loadAverage()}
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(out))
	}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.cpuModel = v
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		if kb, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64); err == nil {
			m.memory = kb * 1024
		}
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAverage returns the one-minute load average, the machine's busyness.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(data))[0]
}
