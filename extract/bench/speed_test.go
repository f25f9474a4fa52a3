package bench

import (
	"context"
	"net/http"
	"os"
	"testing"

	"newsarc/extract"
)

// BenchmarkExtractSet extracts every page of the set NEWSARC_EXTRACTION_BENCH
// names with the crawl's extractor (not Force) and reports ms per page.
func BenchmarkExtractSet(b *testing.B) {
	dir := os.Getenv("NEWSARC_EXTRACTION_BENCH")
	if dir == "" {
		b.Skip("NEWSARC_EXTRACTION_BENCH is not set")
	}
	pages, err := Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	ex := extract.New(extract.DefaultOptions())
	h := http.Header{"Content-Type": {"text/html"}}
	var size int64
	for _, p := range pages {
		size += int64(len(p.HTML))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			_, _ = ex.Extract(context.Background(), p.URL, h, p.HTML)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*len(pages)), "ms/page")
}
