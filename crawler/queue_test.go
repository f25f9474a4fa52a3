package crawler_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsarc/crawler"
	"newsarc/extract"
	"newsarc/internal/procmem"
)

// TestHostsProgressTogether: a site on two hosts, one request at a time
// per host. The first host's front page lists its articles, then the
// second host's front page; its articles do not answer until the second
// host's have all been fetched, so the crawl only goes through if the
// second host goes on while the first one is busy. (A crawl that sent one
// request at a time for the whole site, or took the hosts one after
// another, waits here until the handler gives up, and the test fails.)
func TestHostsProgressTogether(t *testing.T) {
	const n = 5
	var bDone atomic.Int32
	allB := make(chan struct{})
	var closeB sync.Once
	var waitedOut atomic.Bool
	var b *fixture
	bRoutes := map[string]http.HandlerFunc{}
	var bLinks []string
	for i := range n {
		p := fmt.Sprintf("/b/%d.html", i)
		bLinks = append(bLinks, p)
		bRoutes["GET "+p] = func(w http.ResponseWriter, r *http.Request) {
			html(page("B story "+strconv.Itoa(i), "bword"+strconv.Itoa(i)))(w, r)
			if bDone.Add(1) == n {
				closeB.Do(func() { close(allB) })
			}
		}
	}
	bRoutes["GET /{$}"] = html(listPage(bLinks...))
	b = newFixture(t, bRoutes)

	aRoutes := map[string]http.HandlerFunc{}
	var aLinks []string
	for i := range 3 {
		p := fmt.Sprintf("/a/%d.html", i)
		aLinks = append(aLinks, p)
		aRoutes["GET "+p] = func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-allB:
			case <-time.After(10 * time.Second):
				waitedOut.Store(true)
			}
			html(page("A story "+strconv.Itoa(i), "aword"+strconv.Itoa(i)))(w, r)
		}
	}
	aRoutes["GET /{$}"] = html(listPage(append(aLinks, b.URL+"/")...))
	a := newFixture(t, aRoutes)

	cfg := testConfig()
	cfg.Parallelism = 1
	st := openStore(t)
	site := crawler.Site{Name: "two-hosts", Seeds: []string{a.URL + "/"}, Hosts: []string{strings.TrimPrefix(b.URL, "http://")}}
	stats, err := crawler.New(cfg, st, nil).Run(context.Background(), site, extract.New(extract.DefaultOptions()))
	if err != nil {
		t.Fatal(err)
	}
	if waitedOut.Load() {
		t.Fatal("the first host's articles waited for the second host's, which were not fetched meanwhile")
	}
	if stats.New != n+3 {
		t.Fatalf("%d new articles, want %d (stats %+v)", stats.New, n+3, stats)
	}
}

// BenchmarkQueuedMemory measures what a crawl holds per queued URL. A
// front page links list pages of 100 articles each, NEWSARC_BENCH_QUEUED
// (default 200,000) articles in all, on a second host of the site that
// does not answer, so that its articles all wait in the queue while the
// list pages are fetched. Once every article is queued (and a second
// more, for the last list page to be done with) the live heap after a GC
// and the process's RSS are read and reported per 1M queued URLs, less
// what they were before the crawl.
//
//	go test ./crawler -run '^$' -bench QueuedMemory -benchtime 1x
func BenchmarkQueuedMemory(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("NEWSARC_BENCH_QUEUED")); err == nil && v > 0 {
		n = v
	}
	const perList = 100
	lists := (n + perList - 1) / perList
	release := make(chan struct{})
	articles := newFixture(b, map[string]http.HandlerFunc{
		"GET /news/": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			http.Error(w, "gone", http.StatusServiceUnavailable)
		},
	})
	var front strings.Builder
	front.WriteString("<!doctype html><html><head><title>Front</title></head><body><ul>")
	for i := range lists {
		fmt.Fprintf(&front, `<li><a href="/list/%d.html">Page %d</a></li>`, i, i)
	}
	front.WriteString("</ul></body></html>")
	f := newFixture(b, map[string]http.HandlerFunc{
		"GET /{$}": html(front.String()),
		"GET /list/{n}": func(w http.ResponseWriter, r *http.Request) {
			k, _ := strconv.Atoi(strings.TrimSuffix(r.PathValue("n"), ".html"))
			var links []string
			for i := k * perList; i < min((k+1)*perList, n); i++ {
				links = append(links, fmt.Sprintf("%s/news/2025/03/story-%07d.html", articles.URL, i))
			}
			html(listPage(links...))(w, r)
		},
	})
	for range b.N {
		st := openStore(b)
		state, err := crawler.OpenState(filepath.Join(b.TempDir(), "state.db"))
		if err != nil {
			b.Fatal(err)
		}
		heap0, rss0, anon0 := memNowAnon()
		cfg := testConfig()
		cfg.Parallelism = 1
		cfg.Retries = 0
		cfg.MaxPages = n + lists + 10
		cfg.MaxListPages = lists + 10
		cfg.State = state
		ctx, cancel := context.WithCancel(context.Background())
		// Every article queued: in the site's frontier, queued or
		// leased, or failed already (the list pages are done).
		queuedAll := make(chan struct{})
		var once sync.Once
		cfg.Progress = func(s crawler.Stats) {
			if s.Waiting+int64(s.ErrorCount()) >= int64(n) {
				once.Do(func() { close(queuedAll) })
			}
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			site := crawler.Site{Name: "mem", Seeds: []string{f.URL + "/"}, Hosts: []string{strings.TrimPrefix(articles.URL, "http://")}}
			crawler.New(cfg, st, nil).Run(ctx, site, extract.New(extract.DefaultOptions()))
		}()
		select {
		case <-queuedAll:
		case <-done:
			b.Fatal("the crawl ended before every article was queued")
		}
		time.Sleep(time.Second)
		heap1, rss1, anon1 := memNowAnon()
		cancel()
		<-done
		per := func(after, before uint64) float64 {
			return float64(int64(after)-int64(before)) / float64(n) * 1e6 / (1 << 20)
		}
		b.ReportMetric(per(heap1, heap0), "heap-MB/1M-queued")
		b.ReportMetric(per(rss1, rss0), "RSS-MB/1M-queued")
		b.ReportMetric(per(anon1, anon0), "anon-RSS-MB/1M-queued")
		state.Close()
	}
	close(release)
}

// memNowAnon returns the live heap after a GC, the process's resident set
// and its anonymous part: the process's own memory, without the file
// pages it maps (bbolt maps its files; the kernel may drop those pages at
// will).
func memNowAnon() (heap, rss, anon uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap = ms.HeapAlloc + ms.StackInuse
	if r, err := procmem.Read(); err == nil {
		rss, anon = uint64(r.Total), uint64(r.Anon)
	}
	return heap, rss, anon
}
