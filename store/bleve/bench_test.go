package bleve_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
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

// BenchmarkPutGroups puts the same 5,000 articles into a fresh archive one
// at a time and in groups of 16 and 256, as the crawl's writer commits
// them: the cost of a commit (one bbolt transaction and fsync, one index
// batch) per article against per group.
//
//	go test ./store/bleve -run '^$' -bench PutGroups -benchtime 1x -count 2
func BenchmarkPutGroups(b *testing.B) {
	ctx := context.Background()
	arts := storetest.Articles(5000)
	for _, size := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("group-%d", size), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				s, err := bleve.Open(ctx, b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				for j := 0; j < len(arts); j += size {
					if _, err := s.Put(ctx, arts[j:min(j+size, len(arts))]...); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(arts)*b.N)/b.Elapsed().Seconds(), "articles/s")
		})
	}
}

// BenchmarkSearch runs the store benchmark's searches (storetest.BenchSearch:
// p50 and p95 latency of each, with no facets and with the web UI's six)
// against an archive of benchArticles generated articles.
// NEWSARC_BENCH_ARTICLES and NEWSARC_BENCH_DIR
// (see benchStore) make it run at 100k or 1M articles:
//
//	go test -run '^$' -bench Search -benchtime 200x ./store/bleve
//	NEWSARC_BENCH_ARTICLES=100000 NEWSARC_BENCH_DIR=/somewhere go test -run '^$' -bench Search -benchtime 200x -timeout 60m ./store/bleve
func BenchmarkSearch(b *testing.B) {
	s, _ := benchStore(b)
	storetest.BenchSearch(b, s)
}

// BenchmarkScan scans the English half of the benchmark archive:
//
//	go test -run '^$' -bench Scan ./store/bleve
func BenchmarkScan(b *testing.B) {
	s, _ := benchStore(b)
	var n int
	for b.Loop() {
		n = 0
		err := s.Scan(context.Background(), store.Query{Language: "en"}, func(*store.Article) error { n++; return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "articles")
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
// and those articles. The archive is put in batches of 100 in a temporary
// directory, or, when NEWSARC_BENCH_DIR is set, kept in a directory under
// it named for its size, loaded (in batches of 1000) only when it does not
// hold them all yet; the load's time and the archive's size are logged.
func benchStore(b *testing.B) (*bleve.Store, []*store.Article) {
	b.Helper()
	ctx := context.Background()
	n := benchSize(b)
	dir, batch := b.TempDir(), 100
	if keep := os.Getenv("NEWSARC_BENCH_DIR"); keep != "" {
		dir, batch = filepath.Join(keep, fmt.Sprintf("bleve-%d", n)), 1000
	}
	s, err := bleve.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	arts := storetest.Articles(n)
	res, err := s.Search(ctx, store.Query{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	if res.Total != n {
		start := time.Now()
		for j := 0; j < len(arts); j += batch {
			if _, err := s.Put(ctx, arts[j:min(j+batch, len(arts))]...); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("loaded %d articles in %v: %.0f articles/s, %.1f MB on disk", n, time.Since(start).Round(time.Second),
			float64(n)/time.Since(start).Seconds(), float64(dirSize(b, dir))/(1<<20))
	}
	return s, arts
}

// benchSize is the size of the benchmark archive: $NEWSARC_BENCH_ARTICLES,
// else benchArticles.
func benchSize(b *testing.B) int {
	b.Helper()
	v := os.Getenv("NEWSARC_BENCH_ARTICLES")
	if v == "" {
		return benchArticles
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("NEWSARC_BENCH_ARTICLES=%q: want a positive number", v)
	}
	return n
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
