package crawler_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestConnectionsReused: a crawl at parallelism 8 keeps its connections to
// the site open between requests instead of dialling one per page. With
// Go's default of two idle connections per host, a response that finds two
// already idle closes its connection, and the 60 pages below took 20-40
// connections; kept, they take at most one per request in flight.
func TestConnectionsReused(t *testing.T) {
	const articles = 60
	var links []string
	for i := range articles {
		links = append(links, fmt.Sprintf("/news/%d/", i))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		html(listPage(links...))(w, r)
	})
	mux.HandleFunc("/news/", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond) // keep several requests in flight at once
		html(page("Story "+r.URL.Path, "harbour"))(w, r)
	})
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)

	cfg := testConfig()
	cfg.Parallelism = 8
	stats := crawl(t, cfg, openStore(t), srv.URL+"/")
	if stats.Articles() != articles {
		t.Fatalf("archived %d articles, want %d (stats %+v)", stats.Articles(), articles, stats)
	}
	// Robots.txt, the front page and the articles: at most one connection
	// per request the crawl can have in flight, and a few to spare.
	n := conns.Load()
	t.Logf("%d connections for %d pages", n, articles+2)
	if n > int64(cfg.Parallelism)+4 {
		t.Errorf("the crawl opened %d connections for %d pages at parallelism %d", n, articles+2, cfg.Parallelism)
	}
}
