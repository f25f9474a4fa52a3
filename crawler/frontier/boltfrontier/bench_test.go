package boltfrontier_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/boltfrontier"
	"newsarc/crawler/frontier/frontiertest"
	"newsarc/internal/procmem"
)

func BenchmarkPages(b *testing.B) {
	for _, batch := range []int{1, 8} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			f, err := boltfrontier.Open(filepath.Join(b.TempDir(), "f.db"), frontier.Options{Delay: -1}, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			frontiertest.BenchPages(b, f, 50, batch)
		})
	}
}

// BenchmarkMillion queues NEWSARC_FRONTIER_N URLs (default 1,000,000) on
// 100 hosts and reports the process's heap and RSS while they are
// queued, then leases and finishes a batch of each host: paging, not
// loading. Run with -benchtime=1x.
func BenchmarkMillion(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("NEWSARC_FRONTIER_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for range b.N {
		path := filepath.Join(b.TempDir(), "f.db")
		f, err := boltfrontier.Open(path, frontier.Options{Delay: -1}, nil)
		if err != nil {
			b.Fatal(err)
		}
		rss0 := rss(b)
		frontiertest.QueueMillion(b, f, "big", n, 100)
		// Reopen: a process that resumes a queued million.
		f.Close()
		if f, err = boltfrontier.Open(path, frontier.Options{Delay: -1}, nil); err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		for range 100 {
			l, err := f.Lease(ctx, "w", 16)
			if err != nil || l.Empty() {
				b.Fatal(l, err)
			}
			var outs []frontier.Outcome
			for _, e := range l.Entries {
				outs = append(outs, frontier.Outcome{Lease: l, URL: e.URL})
			}
			if _, err := f.Done(ctx, outs...); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st, _ := f.Stats(ctx, "big")
		if st.Pending != int64(n-1600) {
			b.Fatalf("pending %d", st.Pending)
		}
		fi, _ := os.Stat(path)
		r := rss(b)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heapMB")
		b.ReportMetric(float64(r.Total)/(1<<20), "rssMB")
		b.ReportMetric(float64(r.Anon)/(1<<20), "rssAnonMB")
		b.ReportMetric(float64(r.File)/(1<<20), "rssFileMB")
		b.ReportMetric(float64(rss0.Total)/(1<<20), "rssBeforeMB")
		b.ReportMetric(float64(fi.Size())/float64(n), "fileB/url")
		f.Close()
	}
}

// rss reads the process's resident set, or skips the benchmark where
// /proc is not there.
func rss(b *testing.B) procmem.Resident {
	r, err := procmem.Read()
	if err != nil {
		b.Skip(err)
	}
	return r
}
