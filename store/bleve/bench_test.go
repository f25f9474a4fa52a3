package bleve_test

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/storetest"
)

// benchArticles is the size of the benchmark archive.
const benchArticles = 10000

// BenchmarkPut stores benchArticles generated articles, half Chinese and
// half English, into a fresh archive in batches of 100, and closes it (so
// the index is flushed). One iteration is the whole archive:
//
//	go test -run '^$' -bench Put -benchtime 1x ./store/bleve
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	arts := storetest.Articles(benchArticles)
	var size int64
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		s, err := bleve.Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < len(arts); j += 100 {
			if _, err := s.Put(ctx, arts[j:min(j+100, len(arts))]...); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		size = dirSize(b, dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(benchArticles*b.N)/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(float64(size)/(1<<20), "MB")
}

// benchFacets are the facets BenchmarkSearch computes.
var benchFacets = []string{store.FacetSite, store.FacetAuthor, store.FacetLanguage, store.FacetDate}

// BenchmarkSearch runs typical queries against an archive of benchArticles
// generated articles, computing the four facets the search page showed
// first (site, author, language, date), and two of them again without
// facets ("-nofacets"), as callers that need none ask.
//
//	go test -run '^$' -bench Search ./store/bleve
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	s, _ := benchStore(b)
	may := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		q    store.Query
	}{
		{"zh-word", store.Query{Text: "经济", Facets: benchFacets}},
		{"zh-words", store.Query{Text: "经济改革 市场", Facets: benchFacets}},
		{"en-word", store.Query{Text: "market", Facets: benchFacets}},
		{"en-words", store.Query{Text: "market reform", Facets: benchFacets}},
		{"zh-filtered", store.Query{Text: "经济", Site: "xinhua", From: may, Facets: benchFacets}},
		{"all-by-date", store.Query{Facets: benchFacets}},
		{"page-10", store.Query{Text: "market", Sort: store.ByDate, Offset: 100, Facets: benchFacets}},
		{"zh-word-nofacets", store.Query{Text: "经济"}},
		{"all-by-date-nofacets", store.Query{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var total int
			for b.Loop() {
				res, err := s.Search(ctx, c.q)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
	b.Run("scan-en", func(b *testing.B) {
		var n int
		for b.Loop() {
			n = 0
			err := s.Scan(ctx, store.Query{Language: "en"}, func(*store.Article) error { n++; return nil })
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "articles")
	})
}

// BenchmarkLink times store.Link, the near-duplicate lookup the crawler
// makes before storing each article (Get plus Similar), against an archive
// of benchArticles generated articles: for a reprint of an archived
// article (2 bits away) and for a new story.
//
//	go test -run '^$' -bench Link ./store/bleve
func BenchmarkLink(b *testing.B) {
	s, arts := benchStore(b)
	b.Run("reprint", func(b *testing.B) { storetest.BenchLink(b, s, arts, true) })
	b.Run("new-story", func(b *testing.B) { storetest.BenchLink(b, s, arts, false) })
}

// benchStore returns an archive holding benchArticles generated articles,
// put in batches of 100, and those articles.
func benchStore(b *testing.B) (*bleve.Store, []*store.Article) {
	b.Helper()
	ctx := context.Background()
	s, err := bleve.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	arts := storetest.Articles(benchArticles)
	for j := 0; j < len(arts); j += 100 {
		if _, err := s.Put(ctx, arts[j:min(j+100, len(arts))]...); err != nil {
			b.Fatal(err)
		}
	}
	return s, arts
}

// dirSize returns the bytes of the files under dir.
func dirSize(b *testing.B, dir string) int64 {
	b.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n += info.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkLinkRealText times store.Link against archives of 10,000 and
// 100,000 articles of real text (storetest.NewRealArchive: real sentences,
// from the article-extraction benchmark set when NEWSARC_EXTRACTION_BENCH
// names it), for held-out reprints and new stories in turn: "table"
// through the near-duplicate table (LinkRecord, NearLinks), "similar"
// through Get and Similar, the path Link took before. It reports latency,
// recall of true near-duplicates and the articles sharing a band per
// lookup; building the archive reports Put's articles/s (groups of 256).
//
//	NEWSARC_EXTRACTION_BENCH=.../article-extraction go test -run '^$' -bench LinkRealText -timeout 60m ./store/bleve
func BenchmarkLinkRealText(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			ctx := context.Background()
			ra := storetest.NewRealArchive(b, n)
			s, err := bleve.Open(ctx, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			start := time.Now()
			for j := 0; j < n; j += 256 {
				if _, err := s.Put(ctx, ra.Articles[j:min(j+256, n)]...); err != nil {
					b.Fatal(err)
				}
			}
			b.Logf("%d articles of real text (%s) put at %.0f articles/s", n, ra.Source, float64(n)/time.Since(start).Seconds())
			b.Run("table", func(b *testing.B) { storetest.BenchLinkReal(b, s, ra, false) })
			b.Run("similar", func(b *testing.B) { storetest.BenchLinkReal(b, s, ra, true) })
		})
	}
}
