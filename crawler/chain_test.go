package crawler_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"newsarc/crawler"
	"newsarc/extract"
)

// TestListChainsEndWhereNewsEnds: tag pagination that always offers
// "older stories" and a calendar with a link to the previous and next day
// are followed while they bring new pages, and stop soon after.
func TestListChainsEndWhereNewsEnds(t *testing.T) {
	nav := []string{"/", "/tags/budget", "/archive/2025/02/18"}
	f := newFixture(t, map[string]http.HandlerFunc{
		"/": html(listPage(nav...)),
		"/tags/budget": func(w http.ResponseWriter, r *http.Request) {
			n := 1
			fmt.Sscanf(r.URL.Query().Get("page"), "%d", &n)
			links := append([]string{}, nav...)
			if n <= 3 { // three pages of stories, then empty pages for ever
				links = append(links, fmt.Sprintf("/story/t%d-1", n), fmt.Sprintf("/story/t%d-2", n))
			}
			links = append(links, fmt.Sprintf("/tags/budget?page=%d", n+1))
			html(listPage(links...))(w, r)
		},
		"/archive/": func(w http.ResponseWriter, r *http.Request) {
			day, err := time.Parse("2006/01/02", strings.TrimPrefix(r.URL.Path, "/archive/"))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			links := append([]string{}, nav...)
			if day.Month() == time.February && (day.Day() == 18 || day.Day() == 17) {
				links = append(links, "/story/d"+day.Format("0102"))
			}
			links = append(links, "/archive/"+day.AddDate(0, 0, -1).Format("2006/01/02"), "/archive/"+day.AddDate(0, 0, 1).Format("2006/01/02"))
			html(listPage(links...))(w, r)
		},
		"/story/": func(w http.ResponseWriter, r *http.Request) {
			slug := strings.TrimPrefix(r.URL.Path, "/story/")
			html(page("Story "+slug, "word"+strings.ReplaceAll(slug, "-", "x")))(w, r)
		},
	})
	st := openStore(t)
	stats := crawl(t, testConfig(), st, f.URL+"/")
	if n := len(allArticles(t, st)); n != 8 {
		t.Errorf("archived %d stories, want all 8", n)
	}
	tags, days := 0, 0
	f.mu.Lock()
	for uri, n := range f.hits {
		switch {
		case strings.HasPrefix(uri, "/tags/"):
			tags += n
		case strings.HasPrefix(uri, "/archive/"):
			days += n
		}
	}
	f.mu.Unlock()
	// Three tag pages with stories, and the first empty one that shows
	// the chain has run dry; days 17 and 18, and their neighbours.
	if tags > 5 || days > 6 {
		t.Errorf("fetched %d tag pages and %d calendar days; want the chains to stop soon after the news (≤5, ≤6)", tags, days)
	}
	if stats.Skipped["list-end"] == 0 {
		t.Errorf("skipped %v, want list-end counted", stats.Skipped)
	}
}

// TestRobotsOfAnotherHost: a host of the site that is not a seed's has its
// robots.txt read once, when its first link comes, and obeyed.
func TestRobotsOfAnotherHost(t *testing.T) {
	other := newFixture(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nDisallow: /closed/\n")
		},
		"/open/":   html(page("Open story", "openword")),
		"/closed/": html(page("Closed story", "closedword")),
	})
	// The second test server, another port of 127.0.0.1, is another
	// origin: it is in the site's scope only when listed as a host.
	f := newFixture(t, map[string]http.HandlerFunc{
		"/": html(listPage(other.URL+"/open/", other.URL+"/closed/", other.URL+"/open/?again=1")),
	})
	st := openStore(t)
	site := crawler.Site{Name: "test", Seeds: []string{f.URL + "/"}, Hosts: []string{strings.TrimPrefix(other.URL, "http://")}}
	stats, err := crawler.New(testConfig(), st, nil).Run(context.Background(), site, extract.New(extract.DefaultOptions()))
	if err != nil {
		t.Fatal(err)
	}
	if other.count("/closed/") != 0 || other.count("/open/") != 1 {
		t.Errorf("other host: /closed/ fetched %d times, /open/ %d; want 0 and 1", other.count("/closed/"), other.count("/open/"))
	}
	if n := other.count("/robots.txt"); n != 1 {
		t.Errorf("other host's robots.txt read %d times, want once", n)
	}
	if stats.Skipped["robots"] != 1 {
		t.Errorf("skipped %v, want robots 1", stats.Skipped)
	}
}

// TestCrawlDelayPaces: a robots.txt Crawl-delay spaces the requests to the
// host, one at a time, even with a shorter delay and more parallelism
// configured.
func TestCrawlDelayPaces(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	stamp := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			times = append(times, time.Now())
			mu.Unlock()
			h(w, r)
		}
	}
	f := newFixture(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nCrawl-delay: 0.15\n")
		},
		"/":   stamp(html(listPage("/a/", "/b/", "/c/"))),
		"/a/": stamp(html(page("Story A", "alpha"))),
		"/b/": stamp(html(page("Story B", "bravo"))),
		"/c/": stamp(html(page("Story C", "charlie"))),
	})
	cfg := testConfig()            // no delay, parallelism 4
	cfg.MaxRetryWait = time.Second // the cap on a Crawl-delay
	crawl(t, cfg, openStore(t), f.URL+"/")
	mu.Lock()
	defer mu.Unlock()
	if len(times) != 4 {
		t.Fatalf("%d pages fetched, want 4", len(times))
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(times); i++ {
		// The pacer starts requests 150 ms apart; allow for the server
		// seeing them a little closer.
		if gap := times[i].Sub(times[i-1]); gap < 120*time.Millisecond {
			t.Errorf("requests %d and %d came %v apart, want the Crawl-delay of 150ms", i, i+1, gap)
		}
	}
}

// TestRobotsRedirects: robots.txt is read through at most five redirects,
// each in the site's scope; past that, or out of scope, it is unavailable
// and nothing of the host is fetched in the run.
func TestRobotsRedirects(t *testing.T) {
	for _, tt := range []struct {
		name      string
		hops      int  // redirects before the file
		offScope  bool // the last redirect leads to another origin
		available bool
	}{
		{"five hops", 5, false, true},
		{"six hops", 6, false, false},
		{"off scope", 1, true, false}, // the second hop leaves the scope
	} {
		t.Run(tt.name, func(t *testing.T) {
			rules := "User-agent: *\nDisallow: /closed/\n"
			other := newFixture(t, map[string]http.HandlerFunc{
				"/robots.txt": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rules) },
			})
			f := newFixture(t, map[string]http.HandlerFunc{
				"/":        html(listPage("/open/", "/closed/")),
				"/open/":   html(page("Open story", "openword")),
				"/closed/": html(page("Closed story", "closedword")),
				"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "/hop/1", http.StatusMovedPermanently)
				},
				"/hop/": func(w http.ResponseWriter, r *http.Request) {
					var n int
					fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/hop/"), "%d", &n)
					switch {
					case n < tt.hops:
						http.Redirect(w, r, fmt.Sprintf("/hop/%d", n+1), http.StatusFound)
					case tt.offScope:
						http.Redirect(w, r, other.URL+"/robots.txt", http.StatusFound)
					default:
						fmt.Fprint(w, rules)
					}
				},
			})
			st := openStore(t)
			stats := crawl(t, testConfig(), st, f.URL+"/")
			if n := other.count("/robots.txt"); n != 0 {
				t.Errorf("robots.txt of another origin was requested %d times", n)
			}
			if f.count("/closed/") != 0 {
				t.Errorf("/closed/ fetched")
			}
			if tt.available {
				if f.count("/open/") != 1 || len(stats.RobotsUnavailable) != 0 {
					t.Errorf("/open/ fetched %d times, robots.txt unavailable for %v; want the rules read", f.count("/open/"), stats.RobotsUnavailable)
				}
				return
			}
			if f.count("/") != 0 || f.count("/open/") != 0 || len(stats.RobotsUnavailable) != 1 || stats.Skipped["robots-unavailable"] != 1 {
				t.Errorf("/ fetched %d times, /open/ %d, robots.txt unavailable for %v, skipped %v; want nothing fetched, robots.txt unavailable",
					f.count("/"), f.count("/open/"), stats.RobotsUnavailable, stats.Skipped)
			}
		})
	}
}
