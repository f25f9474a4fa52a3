package crawler_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
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
