package extract_test

import (
	"context"
	"net/http"
	"testing"

	"newsarc/crawler/gensite"
	"newsarc/extract"
)

// BenchmarkExtractGenerated extracts the articles of a generated news
// site (crawler/gensite, the pages cmd/crawlbench crawls), as a crawl
// does, and reports ms per page.
func BenchmarkExtractGenerated(b *testing.B) {
	const n = 200
	site := gensite.New(n, 1)
	ex := extract.New(extract.DefaultOptions())
	h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	pages := make([][]byte, n)
	var size int64
	for i := range pages {
		pages[i] = []byte(site.Article(i))
		size += int64(len(pages[i]))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for i, p := range pages {
			if _, err := ex.Extract(context.Background(), "http://gen.example"+gensite.ArticlePath(i), h, p); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*n), "ms/page")
}
