package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"

	"newsarc/crawler"
	"newsarc/extract"
	"newsarc/internal/procmem"
)

// frontierSite serves a front page linking n distinct URLs, /q/0.html …,
// which answer only when the client gives up: they stay queued.
func frontierSite(n int) http.Handler {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>Frontier Daily</title></head><body><h1>Frontier Daily</h1><ul>")
	for i := range n {
		fmt.Fprintf(&b, `<li><a href="/q/%d.html">Story %d</a></li>`, i, i)
	}
	b.WriteString("</ul></body></html>")
	front := b.String()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/" {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, front)
	})
	mux.HandleFunc("/q/", func(w http.ResponseWriter, req *http.Request) {
		<-req.Context().Done()
	})
	return mux
}

// frontierResult is what a frontier child measured.
type frontierResult struct {
	queued      int
	rss0, rss   int64 // VmRSS before the crawl and with the URLs queued, bytes
	heap0, heap int64 // live Go heap (after a GC), bytes
	secs        float64
}

// frontierMem measures the memory of o.frontier queued URLs for newsarc's
// crawler and for bare colly, each in a process of its own.
func frontierMem(ctx context.Context, o options) error {
	srv, err := startServer(fmt.Sprintf("CRAWLBENCH_FRONTIER=%d", o.frontier))
	if err != nil {
		return err
	}
	defer srv.close()
	fmt.Printf("one site, front page linking %d URLs that do not answer, parallelism %d\n", o.frontier, o.parallelism)
	fmt.Printf("%-8s %10s %12s %12s %14s %14s %8s\n", "crawler", "queued", "RSS MB", "heap MB", "RSS MB / 1M", "heap MB / 1M", "secs")
	for _, who := range []string{"newsarc", "colly"} {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, self)
		cmd.Env = append(os.Environ(), roleEnv+"=frontier-"+who, "CRAWLBENCH_URL="+srv.urls[0],
			fmt.Sprintf("CRAWLBENCH_FRONTIER=%d", o.frontier), fmt.Sprintf("CRAWLBENCH_PARALLELISM=%d", o.parallelism),
			"CRAWLBENCH_DIR="+o.dir)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("%s: %w", who, err)
		}
		var r frontierResult
		if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "%d %d %d %d %d %g", &r.queued, &r.rss0, &r.rss, &r.heap0, &r.heap, &r.secs); err != nil {
			return fmt.Errorf("%s: result %q: %w", who, out, err)
		}
		per := 1e6 / float64(max(r.queued, 1)) / 1e6 // MB per 1M URLs, from bytes per URL
		fmt.Printf("%-8s %10d %12.1f %12.1f %14.0f %14.0f %8.1f\n", who, r.queued,
			float64(r.rss-r.rss0)/1e6, float64(r.heap-r.heap0)/1e6,
			float64(r.rss-r.rss0)*per, float64(r.heap-r.heap0)*per, r.secs)
	}
	return nil
}

// memNow returns VmRSS and the live heap after a full GC.
func memNow() (rss, heap int64) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r, _ := procmem.Read() // zero where /proc is not there
	return r.Total, int64(ms.HeapAlloc)
}

// frontierChild runs in a child process: it crawls the frontier site with
// one crawler until its N URLs are queued, prints "queued rss0 rss heap0
// heap secs" and exits without waiting for the crawl.
func frontierChild(role string) error {
	n, p, seed := envInt("CRAWLBENCH_FRONTIER"), envInt("CRAWLBENCH_PARALLELISM"), os.Getenv("CRAWLBENCH_URL")
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var queued atomic.Int64
	var r frontierResult
	var start func()
	cleanup := func() {}
	switch role {
	case "frontier-newsarc":
		dir, err := os.MkdirTemp(os.Getenv("CRAWLBENCH_DIR"), "crawlbench-frontier-")
		if err != nil {
			return err
		}
		cleanup = func() { os.RemoveAll(dir) }
		a, err := openNewsarc(ctx, dir)
		if err != nil {
			cleanup()
			return err
		}
		cfg := crawlerConfig(p, n+10, 1)
		cfg.State = a.state
		cfg.Recorder = a.warc
		// Queued: the URLs in the site's frontier, queued or leased.
		cfg.Progress = func(s crawler.Stats) { queued.Store(s.Waiting) }
		c := crawler.New(cfg, a.store, slog.Default())
		start = func() {
			go func() {
				s, err := c.Run(ctx, crawler.Site{Name: "frontier", Seeds: []string{seed + "/"}}, extract.New(extract.DefaultOptions()))
				if ctx.Err() == nil {
					fmt.Fprintf(os.Stderr, "newsarc: the crawl ended before the measure: %v %+v\n", err, s)
				}
			}()
		}
	case "frontier-colly":
		c := colly.NewCollector(colly.Async(true))
		_ = c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: p})
		c.OnHTML("a[href]", func(e *colly.HTMLElement) {
			if u := e.Request.AbsoluteURL(e.Attr("href")); strings.HasPrefix(u, seed) {
				if e.Request.Visit(u) == nil {
					queued.Add(1)
				}
			}
		})
		start = func() { _ = c.Visit(seed + "/") }
	}
	r.rss0, r.heap0 = memNow()
	t0 := time.Now()
	start()
	want := int64(n)
	for queued.Load() < want && time.Since(t0) < 5*time.Minute {
		time.Sleep(50 * time.Millisecond)
	}
	if role == "frontier-colly" {
		// Counted as queued is not yet handed to colly: its Async mode
		// holds each queued request in a goroutine of its own, so wait
		// until there are as many, and they stop growing.
		for runtime.NumGoroutine() < int(want) && time.Since(t0) < 5*time.Minute {
			time.Sleep(50 * time.Millisecond)
		}
		for g := -1; g != runtime.NumGoroutine(); {
			g = runtime.NumGoroutine()
			time.Sleep(300 * time.Millisecond)
		}
	}
	r.secs = time.Since(t0).Seconds()
	r.rss, r.heap = memNow()
	r.queued = int(queued.Load())
	fmt.Fprintf(os.Stderr, "%s: %d goroutines\n", role, runtime.NumGoroutine())
	fmt.Printf("%d %d %d %d %d %g\n", r.queued, r.rss0, r.rss, r.heap0, r.heap, r.secs)
	cleanup()
	os.Exit(0)
	return nil
}
