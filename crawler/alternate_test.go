package crawler_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"newsarc/crawler"
	"newsarc/extract"
)

// TestAlternateNeverReplacesCanonical: a mobile copy of an article that
// names the desktop page as canonical is archived at most until the
// desktop page is, and never replaces it, whichever is fetched first.
func TestAlternateNeverReplacesCanonical(t *testing.T) {
	desktop := strings.Replace(page("Harbour reopens", "harbour"), `<meta property="og:type" content="article">`,
		`<meta property="og:type" content="article"><meta name="author" content="Ann Reporter">`, 1)
	for _, order := range [][]string{{"/m/harbour", "/news/harbour"}, {"/news/harbour", "/m/harbour"}} {
		t.Run(order[0], func(t *testing.T) {
			var f *fixture
			f = newFixture(t, map[string]http.HandlerFunc{
				"/":             html(listPage(order...)),
				"/news/harbour": html(desktop),
				"/m/harbour": func(w http.ResponseWriter, r *http.Request) {
					// The mobile page names the desktop page as canonical and
					// carries no byline.
					body := strings.Replace(page("Harbour reopens", "harbour"), "</head>",
						`<link rel="canonical" href="`+f.URL+`/news/harbour"></head>`, 1)
					html(body)(w, r)
				},
			})
			st := openStore(t)
			cfg := testConfig()
			cfg.Parallelism = 1 // fetch in link order
			c := stateCrawler(t, cfg, st)
			ex := extract.New(extract.DefaultOptions())
			for run := 1; run <= 2; run++ {
				if _, err := c.Run(context.Background(), crawler.Site{Name: "t", Seeds: []string{f.URL + "/"}}, ex); err != nil {
					t.Fatal(err)
				}
				arts := allArticles(t, st)
				if len(arts) != 1 {
					t.Fatalf("run %d: %d articles, want 1", run, len(arts))
				}
				a := arts[0]
				if !strings.HasSuffix(a.URL, "/news/harbour") || len(a.Authors) != 1 || a.Authors[0] != "Ann Reporter" {
					t.Errorf("run %d: record from %s with authors %v, want the desktop page's", run, a.URL, a.Authors)
				}
			}
			if n := f.count("/m/harbour"); n != 1 {
				t.Errorf("mobile page fetched %d times in two runs, want once (it rests like an archived article)", n)
			}
		})
	}
}

// TestRedirectSourceRests: an article reached through a redirecting URL
// is not fetched again through it on the next run while it is not due.
func TestRedirectSourceRests(t *testing.T) {
	f := newFixture(t, map[string]http.HandlerFunc{
		"/": html(listPage("/s/1")),
		"/s/1": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/story/1", http.StatusMovedPermanently)
		},
		"/story/1": html(page("Ferry returns", "ferry")),
	})
	st := openStore(t)
	c := stateCrawler(t, testConfig(), st)
	runTwice(t, c, f.URL+"/")
	if n := len(allArticles(t, st)); n != 1 {
		t.Errorf("%d articles, want 1", n)
	}
	if a, b := f.count("/s/1"), f.count("/story/1"); a != 1 || b != 1 {
		t.Errorf("over two runs the redirect was fetched %d times and the article %d; want once each", a, b)
	}
}

// stateCrawler returns a crawler of cfg into st that keeps its crawl state
// in a fresh state file, so that runs are incremental.
func stateCrawler(t *testing.T, cfg crawler.Config, st crawler.Archive) *crawler.Crawler {
	t.Helper()
	state, err := crawler.OpenState(t.TempDir() + "/state.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { state.Close() })
	cfg.State = state
	return crawler.New(cfg, st, nil)
}

// TestMobileVersionNotArchivedTwice: an article that announces its mobile
// version (<link rel=alternate media=…>) on a host of the site is
// archived once; the mobile page, which names no canonical, is not
// fetched, in this run or the next.
func TestMobileVersionNotArchivedTwice(t *testing.T) {
	var f *fixture
	f = newFixture(t, map[string]http.HandlerFunc{
		"/": html(listPage("/news/harbour")),
		"/news/harbour": func(w http.ResponseWriter, r *http.Request) {
			// It links its mobile version too ("手机版"), as portals do.
			body := strings.Replace(page("Harbour reopens", "harbour", f.URL+"/m/harbour"), "</head>",
				`<link rel="alternate" media="only screen and (max-width: 640px)" href="`+f.URL+`/m/harbour"></head>`, 1)
			html(body)(w, r)
		},
		"/m/harbour": html(page("Harbour reopens", "harbour")),
	})
	st := openStore(t)
	c := stateCrawler(t, testConfig(), st)
	runTwice(t, c, f.URL+"/")
	if n := len(allArticles(t, st)); n != 1 {
		t.Errorf("%d articles, want 1", n)
	}
	if n := f.count("/m/harbour"); n != 0 {
		t.Errorf("mobile version fetched %d times, want never", n)
	}
}

// runTwice crawls the site at seed twice with c, as two nightly runs.
func runTwice(t *testing.T, c *crawler.Crawler, seed string) {
	t.Helper()
	ex := extract.New(extract.DefaultOptions())
	for run := 1; run <= 2; run++ {
		if _, err := c.Run(context.Background(), crawler.Site{Name: "t", Seeds: []string{seed}}, ex); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
	}
}
