package crawler_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"newsarc/crawler"
	"newsarc/extract"
)

// genWords is the vocabulary of the generated site's articles: 2,400
// made-up words of two or three syllables.
var genWords = func() []string {
	syl := strings.Fields("ba ce di fo gu ha je ki lo mu na pe ri so tu va we xi yo za bri cla dro fle gri")
	var out []string
	for _, a := range syl {
		for _, b := range syl {
			out = append(out, a+b)
			for _, c := range syl[:3] {
				out = append(out, a+b+c)
			}
		}
	}
	return out
}()

// genSite serves a generated news site: list pages /list/1/ … of 25 links
// each, chained by "next" links, and n articles of six paragraphs of
// random words (no two near-duplicates).
func genSite(n int) http.Handler {
	const perList = 25
	lists := (n + perList - 1) / perList
	r := rand.New(rand.NewPCG(uint64(n), 7))
	bodies := make([]string, n)
	for i := range bodies {
		var b strings.Builder
		title := fmt.Sprintf("Story %d: %s %s %s", i, genWords[r.IntN(len(genWords))], genWords[r.IntN(len(genWords))], genWords[r.IntN(len(genWords))])
		fmt.Fprintf(&b, "<!doctype html><html lang=en><head><title>%s - Gen Daily</title>"+
			`<meta property="og:type" content="article"><meta property="article:published_time" content="2025-03-%02dT08:00:00Z"></head>`+
			`<body><nav><a href="/">Home</a></nav><article><h1>%s</h1>`, title, 1+i%28, title)
		for p := 0; p < 6; p++ {
			b.WriteString("<p>")
			for w := 0; w < 45; w++ {
				if w > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(genWords[r.IntN(len(genWords))])
			}
			b.WriteString(".</p>")
		}
		fmt.Fprintf(&b, `</article><footer>Gen Daily</footer></body></html>`)
		bodies[i] = b.String()
	}
	mux := http.NewServeMux()
	html := func(w http.ResponseWriter, s string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, s)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/" {
			http.NotFound(w, req)
			return
		}
		http.Redirect(w, req, "/list/1/", http.StatusFound)
	})
	mux.HandleFunc("/list/{n}/", func(w http.ResponseWriter, req *http.Request) {
		var k int
		if _, err := fmt.Sscan(req.PathValue("n"), &k); err != nil || k < 1 || k > lists {
			http.NotFound(w, req)
			return
		}
		var links []string
		for i := (k - 1) * perList; i < min(k*perList, n); i++ {
			links = append(links, fmt.Sprintf("/news/%d.html", i))
		}
		if k < lists {
			links = append(links, fmt.Sprintf("/list/%d/", k+1))
		}
		html(w, listPage(links...))
	})
	mux.HandleFunc("/news/{f}", func(w http.ResponseWriter, req *http.Request) {
		var i int
		if _, err := fmt.Sscanf(req.PathValue("f"), "%d.html", &i); err != nil || i < 0 || i >= n {
			http.NotFound(w, req)
			return
		}
		html(w, bodies[i])
	})
	return mux
}

// BenchmarkCrawlGeneratedSite crawls a generated site of 1,000 articles
// (and 40 list pages) with no delay and four requests at a time into a
// fresh archive and crawl state, and reports pages/s and articles/s. The
// fsyncs of a crawl are counted from outside, see docs/BENCHMARKS.md.
func BenchmarkCrawlGeneratedSite(b *testing.B) {
	const n = 1000
	srv := httptest.NewServer(genSite(n))
	defer srv.Close()
	var pages, articles int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		st := openStore(b)
		state, err := crawler.OpenState(filepath.Join(dir, "state.db"))
		if err != nil {
			b.Fatal(err)
		}
		cfg := testConfig()
		cfg.State = state
		cfg.MaxPages = 2 * n
		cfg.MaxListPages = n
		cfg.MaxDepth = n
		c := crawler.New(cfg, st, nil)
		b.StartTimer()
		s, err := c.Run(context.Background(), crawler.Site{Name: "gen", Seeds: []string{srv.URL + "/"}}, extract.New(extract.DefaultOptions()))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		state.Close()
		if s.New != n {
			b.Fatalf("archived %d articles, want %d (stats %+v)", s.New, n, s)
		}
		pages += int64(s.Fetched)
		articles += int64(s.New)
		b.StartTimer()
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(articles)/b.Elapsed().Seconds(), "articles/s")
}
