package crawler_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"newsarc/crawler"
	"newsarc/crawler/samplesite"
	"newsarc/extract"
)

// BenchmarkCrawlSampleSite crawls the whole fixture site (about 70 pages,
// 16 articles) with no delay into a fresh archive and crawl state, and
// reports pages/s and the bytes of a first crawl and of a recrawl of the
// unchanged site.
func BenchmarkCrawlSampleSite(b *testing.B) {
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	var pages, first, again int64
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
		c := crawler.New(cfg, st, nil)
		sample := crawler.Site{Name: "sample", Seeds: []string{srv.URL + "/"}}
		b.StartTimer()
		s1, err := c.Run(context.Background(), sample, extract.New(extract.DefaultOptions()))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cfg.Revisit = nil
		s2, err := c.Run(context.Background(), sample, extract.New(extract.DefaultOptions()))
		if err != nil {
			b.Fatal(err)
		}
		state.Close()
		b.StartTimer()
		pages += int64(s1.Fetched)
		first, again = s1.Bytes, s2.Bytes
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(first), "first-crawl-bytes")
	b.ReportMetric(float64(again), "recrawl-bytes")
}
