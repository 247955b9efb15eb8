package controller

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParallelCallsEachOnceWithinTheLimit(t *testing.T) {
	for _, limit := range []int{0, 1, 3, 100} {
		var running, most atomic.Int64
		var mu sync.Mutex
		calls := map[int]int{}
		parallel(limit, 20, func(i int) {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Millisecond)
			running.Add(-1)
			mu.Lock()
			calls[i]++
			mu.Unlock()
		})
		if len(calls) != 20 {
			t.Errorf("limit %d: %d distinct calls, want 20", limit, len(calls))
		}
		for i, n := range calls {
			if n != 1 {
				t.Errorf("limit %d: f(%d) called %d times", limit, i, n)
			}
		}
		if want := int64(max(limit, 1)); most.Load() > want {
			t.Errorf("limit %d: %d calls at once", limit, most.Load())
		}
	}
}
