package elastic_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"newsarc/store"
	"newsarc/store/elastic"
	"newsarc/store/storetest"
)

// benchArticles is the size of the benchmark archive.
const benchArticles = 100000

var (
	benchOnce sync.Once
	benchArts []*store.Article
)

// articles returns the benchmark articles, generated once per process.
func articles() []*store.Article {
	benchOnce.Do(func() { benchArts = storetest.Articles(benchArticles) })
	return benchArts
}

// load puts arts into s in batches of batch articles from workers
// goroutines.
func load(b *testing.B, s store.Store, arts []*store.Article, batch, workers int) {
	b.Helper()
	ctx := context.Background()
	next := make(chan []*store.Article)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for part := range next {
				if _, err := s.Put(ctx, part...); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for i := 0; i < len(arts); i += batch {
		select {
		case next <- arts[i:min(i+batch, len(arts))]:
		case err := <-errs:
			close(next)
			wg.Wait()
			b.Fatal(err)
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// BenchmarkPut stores benchArticles generated articles (half Chinese, half
// English) into fresh indices on the server at $ES_URL, in batches from
// concurrent writers, with each refresh policy. One iteration is the whole
// archive:
//
//	ES_URL=http://127.0.0.1:9200 go test -run '^$' -bench Put -benchtime 1x -timeout 30m ./store/elastic
func BenchmarkPut(b *testing.B) {
	arts := articles()
	for _, c := range []struct {
		refresh        string
		batch, workers int
		interval       string // index.refresh_interval; "" for the default 1s
	}{
		{elastic.RefreshWaitFor, 100, 1, ""},
		{elastic.RefreshWaitFor, 100, 1, "200ms"},
		{elastic.RefreshWaitFor, 1000, 4, ""},
		{elastic.RefreshTrue, 100, 1, ""},
		{elastic.RefreshTrue, 1000, 4, ""},
		{elastic.RefreshFalse, 1000, 4, ""},
	} {
		name := fmt.Sprintf("refresh=%s/batch=%d/writers=%d", c.refresh, c.batch, c.workers)
		if c.interval != "" {
			name += "/interval=" + c.interval
		}
		b.Run(name, func(b *testing.B) {
			n := len(arts)
			if c.batch == 100 && c.workers == 1 && c.refresh == elastic.RefreshWaitFor {
				n = 10000 // up to a refresh interval per Put: a tenth is enough
			}
			for b.Loop() {
				b.StopTimer()
				cfg := testConfig(b)
				cfg.Refresh = c.refresh
				cfg.RefreshInterval = c.interval
				s := mustOpen(b, cfg)
				b.StartTimer()
				load(b, s, arts[:n], c.batch, c.workers)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// benchArchive opens a store holding benchArticles generated articles.
// With ES_BENCH_PREFIX set, the archive is kept under that index prefix
// and loaded only when missing; otherwise it is loaded into indices of its
// own, deleted at the end.
func benchArchive(b *testing.B) *elastic.Store {
	b.Helper()
	var cfg elastic.Config
	if prefix := os.Getenv("ES_BENCH_PREFIX"); prefix != "" {
		cfg = elastic.DefaultConfig()
		cfg.URLs = []string{storetest.ESURL(b)}
		cfg.IndexPrefix = prefix
	} else {
		cfg = testConfig(b)
	}
	cfg.Refresh = elastic.RefreshFalse
	s := mustOpen(b, cfg)
	ctx := context.Background()
	if res := mustSearch(b, s, store.Query{Limit: 1}); res.Total != benchArticles {
		load(b, s, articles(), 1000, 4)
		// Scan refreshes the index.
		if err := s.Scan(ctx, store.Query{Site: "nowhere"}, func(*store.Article) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkSearch runs the store benchmark's searches (storetest.BenchSearch:
// p50 and p95 latency of each, with no facets and with the web UI's six;
// exact totals and highlights) against benchArticles generated articles:
//
//	ES_URL=http://127.0.0.1:9200 ES_BENCH_PREFIX=newsarc-bench go test -run '^$' -bench Search -benchtime 200x -timeout 30m ./store/elastic
func BenchmarkSearch(b *testing.B) {
	storetest.BenchSearch(b, benchArchive(b))
}

// BenchmarkScan scans the English half of benchArticles articles:
//
//	ES_URL=http://127.0.0.1:9200 go test -run '^$' -bench Scan -benchtime 3x -timeout 30m ./store/elastic
func BenchmarkScan(b *testing.B) {
	s := benchArchive(b)
	var n int
	for b.Loop() {
		n = 0
		err := s.Scan(context.Background(), store.Query{Language: "en"}, func(*store.Article) error { n++; return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "articles")
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkLink times store.Link, the near-duplicate lookup a crawl makes
// before it stores each article (Get plus Similar), against benchArticles
// generated articles with random SimHashes: for a reprint of an archived
// article (2 bits away) and for a new story.
//
//	ES_URL=http://127.0.0.1:9200 go test -run '^$' -bench Link -benchtime 500x -timeout 30m ./store/elastic
func BenchmarkLink(b *testing.B) {
	s := benchArchive(b)
	b.Run("reprint", func(b *testing.B) { storetest.BenchLink(b, s, articles(), true) })
	b.Run("new-story", func(b *testing.B) { storetest.BenchLink(b, s, articles(), false) })
}

// BenchmarkLinkRealText times store.Link against archives of 10,000 and
// 100,000 articles of real text (storetest.NewRealArchive, from the
// article-extraction benchmark set when NEWSARC_EXTRACTION_BENCH names
// it), for held-out reprints and new stories in turn: "table" through
// LinkRecord and NearLinks (the band query filtered by the distance script
// on the server), "similar" through Get and Similar, the path Link took
// before. It reports latency and the recall of true near-duplicates.
// With ES_BENCH_PREFIX the archive is kept and reused by later runs.
//
//	ES_URL=... NEWSARC_EXTRACTION_BENCH=.../article-extraction go test -run '^$' -bench 'LinkRealText/10k' -benchtime 1000x -timeout 60m ./store/elastic
func BenchmarkLinkRealText(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			ctx := context.Background()
			ra := storetest.NewRealArchive(b, n)
			cfg := testConfig(b)
			if prefix := os.Getenv("ES_BENCH_PREFIX"); prefix != "" {
				cfg = elastic.DefaultConfig()
				cfg.URLs = []string{storetest.ESURL(b)}
				cfg.IndexPrefix = fmt.Sprintf("%s-real%dk", prefix, n/1000)
			}
			cfg.Refresh = elastic.RefreshFalse
			s := mustOpen(b, cfg)
			if res := mustSearch(b, s, store.Query{Limit: 1}); res.Total != n {
				start := time.Now()
				load(b, s, ra.Articles, 1000, 4)
				if err := s.Scan(ctx, store.Query{Site: "nowhere"}, func(*store.Article) error { return nil }); err != nil {
					b.Fatal(err)
				}
				b.Logf("%d articles of real text (%s) put at %.0f articles/s", n, ra.Source, float64(n)/time.Since(start).Seconds())
			}
			b.Run("table", func(b *testing.B) { storetest.BenchLinkReal(b, s, ra, false) })
			b.Run("similar", func(b *testing.B) { storetest.BenchLinkReal(b, s, ra, true) })
		})
	}
}
