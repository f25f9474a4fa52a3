package crawler_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"newsarc/crawler"
	"newsarc/crawler/samplesite"
	"newsarc/extract"
	"newsarc/store"
	"newsarc/store/bleve"
)

// panicky is the real extractor but for one path, on which it panics the
// way a bug in extraction does. It counts its calls per path.
type panicky struct {
	real *extract.Extractor // a field, not embedded: the crawler must see Extract only
	path string

	mu    sync.Mutex
	calls map[string]int
}

func (p *panicky) Extract(ctx context.Context, pageURL string, h http.Header, body []byte) (*store.Article, error) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.calls[u.Path]++
	p.mu.Unlock()
	if u.Path == p.path {
		var m map[string]int
		m["boom"]++ // assignment to entry in nil map
	}
	return p.real.Extract(ctx, pageURL, h, body)
}

func (p *panicky) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[path]
}

// panickyPut is the archive, but its Put panics for one article.
type panickyPut struct {
	*bleve.Store
	path string
}

func (p *panickyPut) Put(ctx context.Context, arts ...*store.Article) ([]store.Change, error) {
	for _, a := range arts {
		if u, err := url.Parse(a.URL); err == nil && u.Path == p.path {
			panic("index: disk on fire")
		}
	}
	return p.Store.Put(ctx, arts...)
}

// syncBuffer is a log sink safe for the crawl's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPanicDoesNotEscapePage crawls the sample site with a page whose
// extraction panics, then (separately) whose archiving panics: the crawl
// finishes, every other article is archived, the summary counts one
// panic, the log has the URL and the stack, and the next run neither
// fetches nor extracts the page again: it rests.
func TestPanicDoesNotEscapePage(t *testing.T) {
	var victims []samplesite.Article
	for _, a := range samplesite.New().Articles() {
		if a.Reach == samplesite.ReachList {
			victims = append(victims, a)
		}
	}
	if len(victims) < 2 {
		t.Fatalf("sample site has %d list-reachable articles, want 2", len(victims))
	}
	for _, step := range []string{"extract", "put"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			site := samplesite.New()
			srv := httptest.NewServer(site.Handler())
			t.Cleanup(srv.Close)
			victim := victims[0]
			if step == "put" {
				victim = victims[1]
			}
			st := openStore(t)
			ex := &panicky{real: extract.New(extract.DefaultOptions()), calls: map[string]int{}}
			var arch crawler.Archive = st
			if step == "extract" {
				ex.path = victim.Path
			} else {
				arch = &panickyPut{Store: st, path: victim.Path}
			}
			state, err := crawler.OpenState(t.TempDir() + "/state.db")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { state.Close() })
			cfg := testConfig()
			cfg.State = state
			var logs syncBuffer
			c := crawler.New(cfg, arch, slog.New(slog.NewTextHandler(&logs, nil)))
			sample := crawler.Site{Name: "sample", Seeds: []string{srv.URL + "/"}}

			first, err := c.Run(context.Background(), sample, ex)
			if err != nil {
				t.Fatalf("first run: %v", err)
			}
			if first.Errors["panic"] != 1 {
				t.Errorf("first run: errors %v, want panic 1", first.Errors)
			}
			if want := len(site.Articles()) - 1; first.New != want || len(allArticles(t, st)) != want {
				t.Errorf("first run archived %d (stats new %d), want every article but the one that panicked: %d; verdicts %v, skipped %v, errors %v",
					len(allArticles(t, st)), first.New, want, first.Verdicts, first.Skipped, first.Errors)
			}
			if _, err := st.Get(context.Background(), store.IDFor(srv.URL+victim.Path)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the page that panicked was archived (err %v)", err)
			}
			log := logs.String()
			if !strings.Contains(log, "level=ERROR") || !strings.Contains(log, "url="+srv.URL+victim.Path) ||
				!strings.Contains(log, "stack=") || !strings.Contains(log, "panics_test.go") {
				t.Errorf("the panic was not logged at error level with the URL and stack:\n%.2000s", log)
			}

			site.ResetRequests()
			before := ex.count(victim.Path)
			second, err := c.Run(context.Background(), sample, ex)
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			if n := site.Requests()[victim.Path]; n != 0 {
				t.Errorf("second run fetched the page that panicked %d times, want 0 (it rests)", n)
			}
			if n := ex.count(victim.Path) - before; n != 0 {
				t.Errorf("second run extracted the page that panicked %d times", n)
			}
			if second.Errors["panic"] != 0 || second.Skipped["panicked"] != 1 {
				t.Errorf("second run: errors %v, skipped %v; want no panic and the page skipped as panicked",
					second.Errors, second.Skipped)
			}
		})
	}
}
