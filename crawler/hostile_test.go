package crawler_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"newsarc/crawler"
	"newsarc/crawler/hostilesite"
	"newsarc/extract"
	"newsarc/store"
	"newsarc/store/bleve"
)

// hostileRun is one crawl of the hostile site.
type hostileRun struct {
	stats     crawler.Stats
	st        *bleve.Store
	site      *hostilesite.Site
	origin    string // the site's origin, as Stats name it
	elsewhere func() int
}

// crawlHostile crawls the hostile site with the real extractor. Another
// listener, which counts every request, stands for the world outside the
// site's scope; the cloud metadata address is listed as a host of the
// site, so that only the dial-time address check keeps it unreached.
func crawlHostile(t *testing.T, robots hostilesite.Robots) hostileRun {
	t.Helper()
	var mu sync.Mutex
	outside := 0
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		outside++
		mu.Unlock()
		html(page("Stolen story", "stolen"))(w, r)
	}))
	t.Cleanup(other.Close)
	site := hostilesite.New(hostilesite.WithRobots(robots), hostilesite.Elsewhere(other.URL))
	srv := httptest.NewServer(site.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(site.Close) // first: releases the stalled requests

	cfg := testConfig()
	cfg.Timeout = time.Second
	cfg.Retries = 1
	cfg.MaxBodySize = 1 << 20
	st := openStore(t)
	hostile := crawler.Site{Name: "hostile", Seeds: []string{srv.URL + "/"}, Hosts: []string{"169.254.169.254"}}
	stats, err := crawler.New(cfg, st, nil).Run(context.Background(), hostile, extract.New(extract.DefaultOptions()))
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	t.Logf("skipped %v, errors %v", stats.Skipped, stats.Errors)
	return hostileRun{stats: stats, st: st, site: site, origin: srv.URL,
		elsewhere: func() int { mu.Lock(); defer mu.Unlock(); return outside }}
}

// checkContained asserts what holds for every variant: nothing outside
// the scope was requested and no page step panicked.
func (h hostileRun) checkContained(t *testing.T) {
	t.Helper()
	if n := h.elsewhere(); n != 0 {
		t.Errorf("the listener outside the site's scope got %d requests, want 0", n)
	}
	if n := h.stats.Errors["panic"]; n != 0 {
		t.Errorf("%d page steps panicked on the hostile site (recovered, but each is a bug)", n)
	}
}

// checkArticleOnce asserts that the real article is archived once, with
// nothing merged from outside, and nothing else is archived but allowed.
func (h hostileRun) checkArticleOnce(t *testing.T, others ...string) {
	t.Helper()
	arts := allArticles(t, h.st)
	var got []string
	for _, a := range arts {
		got = append(got, strings.TrimPrefix(a.URL, h.origin))
	}
	want := append([]string{hostilesite.ArticlePath}, others...)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("archived %v, want %v", got, want)
	}
	a, err := h.st.Get(context.Background(), store.IDFor(h.origin+hostilesite.ArticlePath))
	if err != nil {
		t.Fatalf("the real article: %v", err)
	}
	if a.Title != hostilesite.ArticleTitle || strings.Count(a.Text, hostilesite.ArticleTerm) != 2 || strings.Contains(a.Text, "stolen") {
		t.Errorf("the real article: title %q, text %q", a.Title, a.Text)
	}
}

func (h hostileRun) requested(path string) int { return h.site.Requests()[path] }

// TestHostileSite crawls a site that misbehaves in every way newsarc
// knows of, once per robots.txt variant.
func TestHostileSite(t *testing.T) {
	t.Run("rules", func(t *testing.T) {
		t.Parallel()
		h := crawlHostile(t, hostilesite.RobotsRules)
		h.checkContained(t)
		h.checkArticleOnce(t)
		s := h.stats
		if n := h.requested(hostilesite.PrivatePath); n != 0 {
			t.Errorf("robots.txt disallows %s but it was fetched %d times", hostilesite.PrivatePath, n)
		}
		if n := h.requested(hostilesite.ContinuationPath); n != 1 {
			t.Errorf("the continuation page was requested %d times, want once (its redirect refused, not retried)", n)
		}
		for reason, least := range map[string]int{
			"robots":             1, // /private/
			"off-scope-redirect": 3, // the continuation page, the redirect chain, /away.html
			"offsite":            2, // the same host on another port, 10.0.0.1
			"private-address":    2, // a link to 169.254.169.254 and a redirect there, refused when dialled
			"not-html":           1, // the PNG served as text/html
		} {
			if s.Skipped[reason] < least {
				t.Errorf("skipped %q %d times, want at least %d (skipped %v)", reason, s.Skipped[reason], least, s.Skipped)
			}
		}
		for kind, want := range map[string]int{"too_large": 2, "timeout": 1, "http_429": 1, "http_5xx": 1} {
			if s.Errors[kind] != want {
				t.Errorf("errors %q = %d, want %d (errors %v)", kind, s.Errors[kind], want, s.Errors)
			}
		}
		if n := s.Errors["network"]; n != 0 {
			t.Errorf("%d network errors: refusals were taken for failures (errors %v)", n, s.Errors)
		}
		if len(s.RobotsUnavailable) != 0 {
			t.Errorf("robots.txt reported unavailable for %v", s.RobotsUnavailable)
		}
		for _, p := range []string{"/chain/1", "/chain/3", "/away.html", hostilesite.MetadataPath} {
			if n := h.requested(p); n != 1 {
				t.Errorf("%s requested %d times, want once (a refused redirect is not retried)", p, n)
			}
		}
		if n := h.requested("/loop/a"); n > 2 {
			t.Errorf("redirect loop followed %d times", n)
		}
	})
	t.Run("404 allows all", func(t *testing.T) {
		t.Parallel()
		h := crawlHostile(t, hostilesite.Robots404)
		h.checkContained(t)
		h.checkArticleOnce(t)
		if n := h.requested(hostilesite.PrivatePath); n != 1 {
			t.Errorf("with no robots.txt, %s was fetched %d times, want once", hostilesite.PrivatePath, n)
		}
	})
	for _, v := range []struct {
		name   string
		robots hostilesite.Robots
	}{{"503 disallows all", hostilesite.Robots503}, {"stall disallows all", hostilesite.RobotsStall}} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			h := crawlHostile(t, v.robots)
			h.checkContained(t)
			if got := h.site.Requests(); len(got) != 1 || got["/robots.txt"] != 1 {
				t.Errorf("requests %v, want robots.txt alone", got)
			}
			if len(allArticles(t, h.st)) != 0 {
				t.Errorf("articles archived from a site whose robots.txt is unavailable")
			}
			if !slices.Equal(h.stats.RobotsUnavailable, []string{h.origin}) {
				t.Errorf("robots.txt unavailable for %v, want [%s]", h.stats.RobotsUnavailable, h.origin)
			}
			if h.stats.Skipped["robots-unavailable"] != 1 {
				t.Errorf("skipped %v, want robots-unavailable 1 (the seed)", h.stats.Skipped)
			}
		})
	}
	t.Run("12 MB file read in part", func(t *testing.T) {
		t.Parallel()
		h := crawlHostile(t, hostilesite.RobotsHuge)
		h.checkContained(t)
		h.checkArticleOnce(t)
		if n := h.requested(hostilesite.PrivatePath); n != 0 {
			t.Errorf("robots.txt's first lines disallow %s but it was fetched %d times", hostilesite.PrivatePath, n)
		}
		if n := h.requested(hostilesite.LatePath); n != 1 {
			t.Errorf("%s, disallowed only past the first 500 KiB, was fetched %d times, want once", hostilesite.LatePath, n)
		}
	})
	t.Run("unparsable crawl-delay ignored alone", func(t *testing.T) {
		t.Parallel()
		h := crawlHostile(t, hostilesite.RobotsBadDelay)
		h.checkContained(t)
		h.checkArticleOnce(t)
		if n := h.requested(hostilesite.PrivatePath); n != 0 {
			t.Errorf("robots.txt disallows %s after a bad Crawl-delay line, but it was fetched %d times", hostilesite.PrivatePath, n)
		}
	})
}
