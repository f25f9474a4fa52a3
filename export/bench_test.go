package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsarc/store"
	"newsarc/store/storetest"
)

// genStore is a store.Store whose Scan yields n articles made from the
// 1000 of storetest.Articles(1000), each a fresh copy with its own ID and
// URL, without holding them all: the heap the benchmark measures is the
// exporter's. Scan ignores the query.
type genStore struct {
	n    int
	base []*store.Article
}

var (
	genOnce sync.Once
	genBase []*store.Article
)

func newGenStore(n int) *genStore {
	genOnce.Do(func() { genBase = storetest.Articles(1000) })
	return &genStore{n: n, base: genBase}
}

var errReadOnly = errors.New("genStore: read-only")

func (s *genStore) Put(context.Context, ...*store.Article) ([]store.Change, error) {
	return nil, errReadOnly
}
func (s *genStore) Get(context.Context, string) (*store.Article, error) {
	return nil, store.ErrNotFound
}
func (s *genStore) Versions(context.Context, string) ([]*store.Article, error) {
	return nil, store.ErrNotFound
}
func (s *genStore) Search(context.Context, store.Query) (*store.Results, error) {
	return &store.Results{}, nil
}
func (s *genStore) Similar(context.Context, uint64, int) ([]*store.Article, error) {
	return nil, nil
}
func (s *genStore) Close() error { return nil }
func (s *genStore) Scan(ctx context.Context, _ store.Query, fn func(*store.Article) error) error {
	for i := range s.n {
		a := *s.base[i%len(s.base)]
		a.URL = fmt.Sprintf("%s?n=%d", a.URL, i)
		a.CanonicalURL = a.URL
		a.ID = store.IDFor(a.URL)
		if err := fn(&a); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// heapPeak samples runtime.MemStats.HeapInuse until stopped.
type heapPeak struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	h.sample()
	go func() {
		defer close(h.done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tick.C:
				h.sample()
			}
		}
	}()
	return h
}

func (h *heapPeak) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	for {
		old := h.peak.Load()
		if ms.HeapInuse <= old || h.peak.CompareAndSwap(old, ms.HeapInuse) {
			return
		}
	}
}

func (h *heapPeak) Stop() uint64 {
	close(h.stop)
	<-h.done
	h.sample()
	return h.peak.Load()
}

// BenchmarkRun exports 10k and 100k generated articles (see genStore) to
// io.Discard in each format. It reports articles/s, output bytes per
// article, and peak-heap-MB: the peak of HeapInuse (sampled every 2 ms and
// every 1000 records) above the heap in use before the export. Constant
// memory shows as the same peak for 10k and 100k.
//
//	go test ./export -run '^$' -bench Run -benchtime 3x
func BenchmarkRun(b *testing.B) {
	for _, format := range Formats {
		for _, n := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%dk", format, n/1000), func(b *testing.B) { benchRun(b, format, n) })
		}
	}
}

func benchRun(b *testing.B, format string, n int) {
	st := newGenStore(n)
	var peak, base uint64
	var size int64
	var elapsed time.Duration
	for b.Loop() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base = ms.HeapInuse
		h := startHeapPeak()
		start := time.Now()
		m, err := Run(context.Background(), st, store.Query{}, format, io.Discard,
			Options{Progress: func(int) { h.sample() }})
		elapsed += time.Since(start)
		if p := h.Stop(); p > base && p-base > peak {
			peak = p - base
		}
		if err != nil {
			b.Fatal(err)
		}
		if m.Count != n {
			b.Fatalf("count = %d", m.Count)
		}
		size = m.Bytes
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "articles/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(size)/float64(n), "B/article")
}
