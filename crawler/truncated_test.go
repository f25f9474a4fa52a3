package crawler_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"newsarc/crawler"
	"newsarc/extract"
	"newsarc/store"
)

// exchanges records what the crawl hands its Recorder.
type exchanges struct {
	mu  sync.Mutex
	all map[string]crawler.Exchange
}

func (e *exchanges) Record(_ context.Context, ex *crawler.Exchange) (store.Capture, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all[ex.URL] = *ex
	return store.Capture{}, nil
}

// TestTruncatedRecord: a robots.txt longer than the 500 KiB RFC 9309 reads
// is cut there, and its record says so (WARC-Truncated: length); a page
// read whole is not marked.
func TestTruncatedRecord(t *testing.T) {
	big := "User-agent: *\nDisallow: /private/\n" + strings.Repeat("# a long comment line of a robots.txt file\n", 16000)
	f := newFixture(t, map[string]http.HandlerFunc{
		"GET /robots.txt": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(big))
		},
		"GET /{$}":    html(listPage("/a.html")),
		"GET /a.html": html(page("A story", "aword")),
	})
	rec := &exchanges{all: map[string]crawler.Exchange{}}
	cfg := testConfig()
	cfg.Recorder = rec
	if _, err := crawler.New(cfg, openStore(t), nil).Run(context.Background(),
		crawler.Site{Name: "t", Seeds: []string{f.URL + "/"}}, extract.New(extract.DefaultOptions())); err != nil {
		t.Fatal(err)
	}
	robots, ok := rec.all[f.URL+"/robots.txt"]
	if !ok {
		t.Fatal("robots.txt was not recorded")
	}
	if robots.Truncated != "length" || len(robots.Body) >= len(big) {
		t.Errorf("robots.txt recorded with %d of %d bytes, Truncated %q; want it cut and marked", len(robots.Body), len(big), robots.Truncated)
	}
	if a, ok := rec.all[f.URL+"/a.html"]; !ok || a.Truncated != "" {
		t.Errorf("the article's record: found %v, Truncated %q", ok, a.Truncated)
	}
}
