package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// cpuProfile saves a CPU profile of the controller, of length d (cut short when ctx ends),
// starting after delay, into the -profiles folder as name. The channel closes when it is done;
// without -profiles at once.
func (p *controllerProcess) cpuProfile(ctx context.Context, cfg config, name string, delay, d time.Duration) <-chan struct{} {
	done := make(chan struct{})
	if p.pprof == "" {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return
		}
		secs := max(int(d.Seconds()), 1)
		// The profile stops early only if the request is cancelled, which loses it: bound it
		// by d instead, and let the caller wait.
		if err := fetch(context.Background(), fmt.Sprintf("%sprofile?seconds=%d", p.pprof, secs), filepath.Join(cfg.profiles, name)); err != nil {
			logf("profile %s: %v", name, err)
		}
	}()
	return done
}

// heapProfile saves a heap profile of the controller into the -profiles folder.
func (p *controllerProcess) heapProfile(cfg config, name string) {
	if p.pprof == "" {
		return
	}
	if err := fetch(context.Background(), p.pprof+"heap?gc=1", filepath.Join(cfg.profiles, name)); err != nil {
		logf("profile %s: %v", name, err)
	}
}

func fetch(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %s: %s", url, resp.Status, strings.TrimSpace(string(b)))
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
