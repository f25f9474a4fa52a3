package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// newsSite serves a front page linking n articles; each article runs
// before before it answers.
func newsSite(t *testing.T, name string, n int, before func()) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		fmt.Fprintf(&b, "<!doctype html><html><head><title>%s</title></head><body><ul>", name)
		for i := range n {
			fmt.Fprintf(&b, `<li><a href="/news/%d.html">Story %d</a></li>`, i, i)
		}
		b.WriteString("</ul></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, b.String())
	})
	mux.HandleFunc("GET /news/{f}", func(w http.ResponseWriter, r *http.Request) {
		before()
		var b strings.Builder
		title := fmt.Sprintf("%s story %s", name, r.PathValue("f"))
		fmt.Fprintf(&b, `<!doctype html><html lang=en><head><title>%s</title><meta property="og:type" content="article"></head><body><article><h1>%s</h1>`, title, title)
		for p := range 5 {
			fmt.Fprintf(&b, "<p>Paragraph %d of %s: the council met on Tuesday to debate the budget of the %s district, "+
				"and members argued at length about schools, roads and the harbour before a late vote settled it.</p>", p, title, r.PathValue("f"))
		}
		b.WriteString("</article></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, b.String())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestSitesCrawledTogether: the sites of one crawl run at the same time.
// The first site's articles do not answer until the second site's have
// all been fetched; a crawl that took the sites one after another would
// wait until the handler gives up, and the test fails.
func TestSitesCrawledTogether(t *testing.T) {
	const n = 4
	var fetchedB atomic.Int32
	allB := make(chan struct{})
	var waitedOut atomic.Bool
	a := newsSite(t, "Alpha", 2, func() {
		select {
		case <-allB:
		case <-time.After(10 * time.Second):
			waitedOut.Store(true)
		}
	})
	b := newsSite(t, "Beta", n, func() {
		if fetchedB.Add(1) == n {
			close(allB)
		}
	})
	data := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "newsarc.yaml")
	cfg := fmt.Sprintf(`data: %s
crawler:
  delay: 0s
sites:
  - name: alpha
    seeds: [%s/]
  - name: beta
    seeds: [%s/]
`, data, a.URL, b.URL)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"--config", cfgPath, "crawl", "--quiet"}, &out, &errb); err != nil {
		t.Fatalf("crawl: %v\n%s", err, errb.String())
	}
	if waitedOut.Load() {
		t.Fatal("the first site's articles waited for the second site's, which were not crawled meanwhile")
	}
	if got := int(fetchedB.Load()); got != n {
		t.Fatalf("the second site's articles fetched %d times, want %d", got, n)
	}
	// The summary names both sites, in the config's order.
	if i, j := strings.Index(out.String(), "alpha"), strings.Index(out.String(), "beta"); i < 0 || j < i {
		t.Errorf("summary:\n%s", out.String())
	}
}
