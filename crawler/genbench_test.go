package crawler_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"newsarc/crawler"
	"newsarc/crawler/gensite"
	"newsarc/extract"
)

// BenchmarkCrawlGeneratedSite crawls a generated site of 1,000 articles
// (and 40 list pages) with no delay and four requests at a time into a
// fresh archive and crawl state, and reports pages/s and articles/s. The
// fsyncs of a crawl are counted from outside, see docs/BENCHMARKS.md.
func BenchmarkCrawlGeneratedSite(b *testing.B) {
	const n = 1000
	srv := httptest.NewServer(gensite.New(n, 0))
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
