package crawler_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"newsarc/crawler"
	"newsarc/extract"
	"newsarc/store"
	"newsarc/store/bleve"
)

// page renders a plausible English news article with a unique word, so
// the real extractor accepts it.
func page(title, word string, links ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html lang=en><head><title>%s - Test Daily</title>"+
		`<meta property="og:type" content="article"></head><body><nav><a href="/">Home</a></nav><article><h1>%s</h1>`, title, title)
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d of the report on %s. The council met on Tuesday to debate the budget, "+
			"and members argued at length about schools, roads and the harbour before a late vote settled the matter "+
			"for another year, leaving residents to weigh what the decision means for their town.</p>", i+1, word)
	}
	b.WriteString("</article><aside><h3>Related stories</h3><ul>")
	for _, l := range links {
		fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, l, l)
	}
	b.WriteString("</ul></aside><footer>Test Daily, 1 Main St</footer></body></html>")
	return b.String()
}

// listPage renders a front page that only links.
func listPage(links ...string) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>Test Daily</title></head><body><h1>Test Daily</h1><ul>")
	for _, l := range links {
		fmt.Fprintf(&b, `<li><a href="%s">Story %s</a> <span>2025-02-18</span></li>`, l, l)
	}
	b.WriteString("</ul></body></html>")
	return b.String()
}

// fixture is an httptest server that counts requests per path.
type fixture struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newFixture(t testing.TB, routes map[string]http.HandlerFunc) *fixture {
	t.Helper()
	f := &fixture{hits: map[string]int{}}
	mux := http.NewServeMux()
	for p, h := range routes {
		mux.HandleFunc(p, h)
	}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.hits[r.URL.RequestURI()]++
		f.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fixture) count(uri string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[uri]
}

func html(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
}

func testConfig() crawler.Config {
	cfg := crawler.DefaultConfig()
	cfg.Delay = 0
	cfg.Parallelism = 4
	cfg.MaxRetryWait = 5 * time.Millisecond
	cfg.Timeout = 5 * time.Second
	cfg.NotArticle = extract.ErrNotArticle
	return cfg
}

func openStore(t testing.TB) *bleve.Store {
	t.Helper()
	st, err := bleve.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func crawl(t *testing.T, cfg crawler.Config, st store.Store, seeds ...string) crawler.Stats {
	t.Helper()
	c := crawler.New(cfg, st, nil)
	stats, err := c.Run(context.Background(), crawler.Site{Name: "test", Seeds: seeds}, extract.New(extract.DefaultOptions()))
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	return stats
}

func allArticles(t *testing.T, st store.Store) []*store.Article {
	t.Helper()
	var out []*store.Article
	if err := st.Scan(context.Background(), store.Query{}, func(a *store.Article) error {
		out = append(out, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRobotsAndCanonicalURLs(t *testing.T) {
	f := newFixture(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
		},
		"/": html(listPage("/a/", "/a/?utm_source=feed&fbclid=1", "/a/#comments", "/private/secret/", "/b/?replytocom=7", "/go")),
		"/go": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/private/secret/", http.StatusFound) // into a disallowed path
		},
		"/a/":              html(page("Harbour vote", "harbour", "/b/")),
		"/b/":              html(page("School budget", "schools", "/a/?utm_medium=x")),
		"/private/secret/": html(page("Secret", "secret")),
	})
	st := openStore(t)
	stats := crawl(t, testConfig(), st, f.URL+"/")

	if n := f.count("/private/secret/"); n != 0 {
		t.Errorf("robots.txt disallowed /private/secret/ but it was fetched %d times", n)
	}
	if stats.Skipped["robots"] != 1 || stats.Errors["robots"] != 1 {
		t.Errorf("skipped robots = %d, errors robots = %d, want 1 each (the link, the redirect) (%+v %+v)",
			stats.Skipped["robots"], stats.Errors["robots"], stats.Skipped, stats.Errors)
	}
	if n := f.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt read %d times in one run, want once", n)
	}
	if n := f.count("/a/"); n != 1 {
		t.Errorf("/a/ fetched %d times, want once (tracking params and fragments canonicalised)", n)
	}
	if n := f.count("/b/?replytocom=7"); n != 0 {
		t.Errorf("comment-reply URL fetched %d times", n)
	}
	arts := allArticles(t, st)
	if len(arts) != 2 || stats.New != 2 {
		t.Fatalf("archived %d articles (stats new %d), want 2", len(arts), stats.New)
	}
	for _, a := range arts {
		if strings.Contains(a.CanonicalURL, "utm_") || strings.Contains(a.CanonicalURL, "#") {
			t.Errorf("canonical URL %q keeps tracking or fragment", a.CanonicalURL)
		}
	}
	if stats.NotArticle != 1 {
		t.Errorf("not-article pages = %d, want 1 (the front page)", stats.NotArticle)
	}
}

func TestRetryAfterThenSuccess(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	f := newFixture(t, map[string]http.HandlerFunc{
		"/": html(listPage("/flaky/")),
		"/flaky/": func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			calls++
			n := calls
			mu.Unlock()
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			html(page("Flaky story", "flakiness"))(w, r)
		},
	})
	st := openStore(t)
	stats := crawl(t, testConfig(), st, f.URL+"/")
	if f.count("/flaky/") != 2 || stats.Retries != 1 {
		t.Errorf("/flaky/ fetched %d times with %d retries, want 2 and 1", f.count("/flaky/"), stats.Retries)
	}
	if stats.New != 1 || stats.ErrorCount() != 0 {
		t.Errorf("new = %d, errors = %v; want the article archived after the retry", stats.New, stats.Errors)
	}
}

func TestServerErrorsGiveUpAfterRetries(t *testing.T) {
	f := newFixture(t, map[string]http.HandlerFunc{
		"/":      html(listPage("/down/", "/gone/", "/ok/")),
		"/down/": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) },
		"/gone/": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) },
		"/ok/":   html(page("Fine story", "fineness")),
	})
	cfg := testConfig()
	cfg.Retries = 2
	st := openStore(t)
	stats := crawl(t, cfg, st, f.URL+"/")
	if n := f.count("/down/"); n != 3 {
		t.Errorf("/down/ fetched %d times, want 3 (1 + 2 retries)", n)
	}
	if n := f.count("/gone/"); n != 1 {
		t.Errorf("/gone/ fetched %d times, want 1 (410 is not retried)", n)
	}
	if stats.Errors["http_5xx"] != 1 || stats.Errors["not_found"] != 1 {
		t.Errorf("errors = %v, want http_5xx 1 and not_found 1", stats.Errors)
	}
	if stats.New != 1 {
		t.Errorf("new = %d, want the good article archived despite the failures", stats.New)
	}
}

func TestHugeAndCompressedBombBodies(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 64; i++ { // 64 MiB inflated, about 64 KiB on the wire
		zw.Write(zeros)
	}
	zw.Close()
	f := newFixture(t, map[string]http.HandlerFunc{
		"/": html(listPage("/huge/", "/bomb/", "/ok/")),
		"/huge/": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			chunk := bytes.Repeat([]byte("<p>endless</p>"), 1024)
			for i := 0; i < 1000; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		},
		"/bomb/": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		},
		"/ok/": html(page("Fine story", "fineness")),
	})
	cfg := testConfig()
	cfg.MaxBodySize = 1 << 20
	st := openStore(t)
	stats := crawl(t, cfg, st, f.URL+"/")
	if stats.Errors["too_large"] != 2 {
		t.Errorf("errors = %v, want too_large 2 (plain and gzip bomb)", stats.Errors)
	}
	if stats.New != 1 {
		t.Errorf("new = %d, want 1", stats.New)
	}
}

func TestRedirectLoopAndSlowServer(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f := newFixture(t, map[string]http.HandlerFunc{
		"/":       html(listPage("/loop1/", "/slow/", "/ok/")),
		"/loop1/": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2/", http.StatusFound) },
		"/loop2/": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop1/", http.StatusFound) },
		"/slow/": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		},
		"/ok/": html(page("Fine story", "fineness")),
	})
	cfg := testConfig()
	cfg.Timeout = 300 * time.Millisecond
	cfg.Retries = 1
	st := openStore(t)
	stats := crawl(t, cfg, st, f.URL+"/")
	if stats.New != 1 {
		t.Errorf("new = %d, want 1", stats.New)
	}
	if stats.Errors["timeout"] != 1 {
		t.Errorf("errors = %v, want timeout 1 for the slow page", stats.Errors)
	}
	if n := f.count("/loop1/"); n > 3 {
		t.Errorf("redirect loop followed %d times", n)
	}
	if len(allArticles(t, st)) != 1 {
		t.Errorf("archived %d articles, want 1", len(allArticles(t, st)))
	}
}

func TestTrapsAndLimits(t *testing.T) {
	f := newFixture(t, map[string]http.HandlerFunc{
		"/": html(listPage("/a/", "/?s=harbour", "/search/harbour", "/events/?cal=2025-03", "/a/feed/",
			"/list/page/1/", "/img/photo.jpg")),
		"/a/": html(page("Harbour vote", "harbour")),
		// An endless pagination: every list page links to the next, and
		// to a story not seen before, so it never runs dry.
		"/list/page/": func(w http.ResponseWriter, r *http.Request) {
			var n int
			fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/list/page/"), "%d", &n)
			html(listPage(fmt.Sprintf("/list/page/%d/", n+1), fmt.Sprintf("/story/%d", n)))(w, r)
		},
		"/story/": func(w http.ResponseWriter, r *http.Request) {
			html(page("Story "+strings.TrimPrefix(r.URL.Path, "/story/"), "story"+strings.TrimPrefix(r.URL.Path, "/story/")))(w, r)
		},
	})
	cfg := testConfig()
	cfg.MaxListPages = 5
	st := openStore(t)
	stats := crawl(t, cfg, st, f.URL+"/")
	for _, uri := range []string{"/?s=harbour", "/search/harbour", "/events/?cal=2025-03", "/a/feed/", "/img/photo.jpg"} {
		if n := f.count(uri); n != 0 {
			t.Errorf("trap %s fetched %d times", uri, n)
		}
	}
	pages := 0
	for i := 1; i < 100; i++ {
		pages += f.count(fmt.Sprintf("/list/page/%d/", i))
	}
	if pages != 5 {
		t.Errorf("fetched %d pages of an endless list, want the budget of 5", pages)
	}
	if stats.Skipped["list-budget"] != 1 {
		t.Errorf("skipped = %v, want list-budget 1", stats.Skipped)
	}

	cfg = testConfig()
	cfg.MaxPages = 3
	cfg.Parallelism = 1
	st2 := openStore(t)
	stats = crawl(t, cfg, st2, f.URL+"/list/page/1/")
	if stats.Fetched != 3 || stats.Skipped["max-pages"] < 1 {
		t.Errorf("fetched %d, skipped %v; want 3 and max-pages", stats.Fetched, stats.Skipped)
	}
}

func TestCancelStopsCrawl(t *testing.T) {
	f := newFixture(t, map[string]http.HandlerFunc{
		"/list/page/": func(w http.ResponseWriter, r *http.Request) {
			var n int
			fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/list/page/"), "%d", &n)
			html(listPage(fmt.Sprintf("/list/page/%d/", n+1), fmt.Sprintf("/story/%d", n)))(w, r)
		},
		"/story/": html(page("A story", "story")),
	})
	ctx, cancel := context.WithCancel(context.Background())
	cfg := testConfig()
	cfg.MaxListPages = 1000
	cfg.MaxDepth = 1000
	cfg.MaxPages = 100000
	cfg.Progress = func(s crawler.Stats) {
		if s.Fetched >= 3 {
			cancel()
		}
	}
	cfg.Delay = 20 * time.Millisecond
	c := crawler.New(cfg, openStore(t), nil)
	stats, err := c.Run(ctx, crawler.Site{Seeds: []string{f.URL + "/list/page/1/"}}, extract.New(extract.DefaultOptions()))
	if err == nil {
		t.Fatalf("Run after cancel returned nil error")
	}
	if stats.Fetched >= 900 {
		t.Errorf("fetched %d pages after cancel", stats.Fetched)
	}
}

// TestProgressCountsWaiting: the live counts say what the frontier still
// holds of the site, so that a watcher sees how much is left: while a
// front page's 40 stories are fetched one at a time, 41 or fewer wait; a
// finished run has none left; a run stopped half-way reports what it
// left for the next one.
func TestProgressCountsWaiting(t *testing.T) {
	var links []string
	for i := range 40 {
		links = append(links, fmt.Sprintf("/story/%d", i))
	}
	f := newFixture(t, map[string]http.HandlerFunc{
		"/{$}":    html(listPage(links...)),
		"/story/": html(page("A story", "story")),
	})
	cfg := testConfig()
	cfg.Parallelism = 1
	cfg.Delay = 30 * time.Millisecond // 40 stories take over a second: the count is taken while they wait
	var mu sync.Mutex
	var seen []int64
	cfg.Progress = func(s crawler.Stats) {
		mu.Lock()
		seen = append(seen, s.Waiting)
		mu.Unlock()
	}
	c := crawler.New(cfg, openStore(t), nil)
	stats, err := c.Run(context.Background(), crawler.Site{Name: "w", Seeds: []string{f.URL + "/"}}, extract.New(extract.DefaultOptions()))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	most := slices.Max(seen)
	mu.Unlock()
	// The front page too waits until its group is committed.
	if most < 1 || most > 41 {
		t.Errorf("the live counts said at most %d URLs waiting (%v), want between 1 and the 40 stories and the front page", most, seen)
	}
	if stats.Waiting != 0 || stats.New != 40 {
		t.Errorf("finished run: %d waiting, %d new; want 0 and 40", stats.Waiting, stats.New)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.Progress = func(s crawler.Stats) {
		if s.Fetched >= 5 {
			cancel()
		}
	}
	state, err := crawler.OpenState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()
	cfg.State = state
	c = crawler.New(cfg, openStore(t), nil)
	stats, err = c.Run(ctx, crawler.Site{Name: "w", Seeds: []string{f.URL + "/"}}, extract.New(extract.DefaultOptions()))
	if err == nil {
		t.Fatal("a cancelled run returned no error")
	}
	if left := 41 - stats.Fetched; stats.Waiting < 1 || int(stats.Waiting) > left {
		t.Errorf("stopped after %d pages with %d waiting, want between 1 and %d", stats.Fetched, stats.Waiting, left)
	}
}
