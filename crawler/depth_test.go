package crawler_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"newsarc/crawler"
	"newsarc/extract"
)

// TestResumeKeepsDepth: a crawl killed while fetching a page at the depth
// limit and then resumed goes no deeper than an uninterrupted one: the
// frontier keeps each URL's depth.
func TestResumeKeepsDepth(t *testing.T) {
	// chain serves / → /d/1 → /d/2 → … , articles each linking the next;
	// kill, when set and returning true, has killed the crawl that requests
	// /d/2, which then waits for the client to give up.
	chain := func(kill func() bool) *fixture {
		return newFixture(t, map[string]http.HandlerFunc{
			"/": html(listPage("/d/1")),
			"/d/": func(w http.ResponseWriter, r *http.Request) {
				var n int
				fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/d/"), "%d", &n)
				if n == 2 && kill != nil && kill() {
					<-r.Context().Done()
					return
				}
				html(page(fmt.Sprintf("Story %d", n), fmt.Sprintf("word%dx", n), fmt.Sprintf("/d/%d", n+1)))(w, r)
			},
		})
	}
	cfg := testConfig()
	cfg.MaxDepth = 3 // /, /d/1, /d/2
	ex := extract.New(extract.DefaultOptions())

	whole := chain(nil)
	c := stateCrawler(t, cfg, openStore(t))
	if _, err := c.Run(context.Background(), crawler.Site{Name: "chain", Seeds: []string{whole.URL + "/"}}, ex); err != nil {
		t.Fatal(err)
	}
	if whole.count("/d/2") != 1 || whole.count("/d/3") != 0 {
		t.Fatalf("uninterrupted crawl: /d/2 fetched %d times, /d/3 %d; want 1 and 0", whole.count("/d/2"), whole.count("/d/3"))
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var killed atomic.Bool // the first request for /d/2 kills the crawl
	broken := chain(func() bool {
		if killed.CompareAndSwap(false, true) {
			cancel()
			return true
		}
		return false
	})
	c = stateCrawler(t, cfg, openStore(t))
	site := crawler.Site{Name: "chain", Seeds: []string{broken.URL + "/"}}
	if _, err := c.Run(ctx, site, ex); !errors.Is(err, context.Canceled) {
		t.Fatalf("killed run returned %v, want context.Canceled", err)
	}
	stats, err := c.Run(context.Background(), site, ex)
	if err != nil {
		t.Fatal(err)
	}
	if !stats.Resumed {
		t.Fatalf("second run did not resume the killed one")
	}
	if broken.count("/d/2") != 2 {
		t.Errorf("/d/2 fetched %d times, want twice (killed, then resumed)", broken.count("/d/2"))
	}
	for _, p := range []string{"/d/3", "/d/4"} {
		if n := broken.count(p); n != 0 {
			t.Errorf("killed and resumed crawl fetched %s %d times: it went deeper than the uninterrupted one", p, n)
		}
	}
	if stats.Skipped["max-depth"] != 1 {
		t.Errorf("resumed run skipped %v, want max-depth 1 (/d/3)", stats.Skipped)
	}
}
