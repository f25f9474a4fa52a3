package frontiertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"newsarc/crawler/frontier"
)

// BenchPages crawls b.N pages through f the way a worker does: lease a
// batch of one host's URLs, queue each page's links (eight, half of them
// seen before), and finish each page with its fetch state, the batch's
// pages in one Done (a group commit). It reports pages per second.
func BenchPages(b *testing.B, f frontier.Frontier, hosts, batch int) {
	ctx := context.Background()
	site := "bench"
	var seeds []frontier.Entry
	for h := range hosts {
		seeds = append(seeds, frontier.Entry{URL: fmt.Sprintf("http://h%d.test/0", h), Site: site})
	}
	if _, err := f.Enqueue(ctx, seeds...); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	pages := 0
	for pages < b.N {
		l, err := f.Lease(ctx, "bench", batch)
		if err != nil {
			b.Fatal(err)
		}
		if l.Empty() {
			b.Fatalf("queue drained after %d pages", pages)
		}
		outs := make([]frontier.Outcome, 0, len(l.Entries))
		for _, e := range l.Entries {
			var h, p int
			fmt.Sscanf(e.URL, "http://h%d.test/%d", &h, &p)
			links := make([]frontier.Entry, 0, 8)
			for k := range 4 {
				links = append(links, frontier.Entry{URL: fmt.Sprintf("http://h%d.test/%d", h, p*4+k+1), Site: site, From: e.URL, Depth: e.Depth + 1})
				links = append(links, frontier.Entry{URL: fmt.Sprintf("http://h%d.test/%d", h, p/4+k), Site: site, From: e.URL, Depth: e.Depth + 1})
			}
			if _, err := f.Enqueue(ctx, links...); err != nil {
				b.Fatal(err)
			}
			outs = append(outs, frontier.Outcome{Lease: l, URL: e.URL, Records: []frontier.Record{{URL: e.URL,
				State: frontier.PageState{Kind: "article", Status: 200, ETag: `"e"`, ContentHash: "h", FetchedAt: time.Now(), NextDue: time.Now().Add(24 * time.Hour)}}}})
		}
		ok, err := f.Done(ctx, outs...)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range ok {
			if !o {
				b.Fatal("a leased URL was not held")
			}
		}
		pages += len(outs)
	}
	b.ReportMetric(float64(pages)/time.Since(start).Seconds(), "pages/s")
}

// QueueMillion queues n URLs of site over hosts hosts in batches, as a
// crawl that found them would: 70-byte URLs, each with the page it was
// found on.
func QueueMillion(tb testing.TB, f frontier.Frontier, site string, n, hosts int) {
	ctx := context.Background()
	const batch = 1000
	entries := make([]frontier.Entry, 0, batch)
	for i := 0; i < n; i++ {
		h := i % hosts
		entries = append(entries, frontier.Entry{URL: fmt.Sprintf("https://www.h%d-news.test/2026/05/%08d/some-article-title.html", h, i),
			Site: site, From: fmt.Sprintf("https://www.h%d-news.test/section/%d", h, i/50), Depth: 3})
		if len(entries) == batch || i == n-1 {
			if _, err := f.Enqueue(ctx, entries...); err != nil {
				tb.Fatal(err)
			}
			entries = entries[:0]
		}
	}
}
