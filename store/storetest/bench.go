package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"newsarc/store"
)

// BenchLink runs store.Link b.N times against s, which holds arts (as made
// by Articles): each time for a copy of one of arts under a new ID whose
// SimHash is, with reprint, 2 bits from the original's, else its
// complement (a new story). It reports the median and 95th percentile
// latency and the share of lookups that linked.
func BenchLink(b *testing.B, s store.Linker, arts []*store.Article, reprint bool) {
	ctx := context.Background()
	var lat []time.Duration
	i, linked := 0, 0
	for b.Loop() {
		src := arts[(i*7919)%len(arts)]
		h, err := store.ParseSimHash(src.SimHash)
		if err != nil {
			b.Fatal(err)
		}
		if reprint {
			h ^= 1<<3 | 1<<40
		} else {
			h = ^h
		}
		a := *src
		a.ID = store.IDFor(fmt.Sprintf("https://other.example/%d", i))
		a.SimHash = store.FormatSimHash(h)
		a.WordCount = store.MinLinkWords
		start := time.Now()
		if err := store.Link(ctx, s, &a, store.MaxSimilarDistance); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if a.DuplicateOf != "" {
			linked++
		}
		i++
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)*50/100]), "p50-ms")
	b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*95/100)]), "p95-ms")
	b.ReportMetric(float64(linked)/float64(i), "linked/op")
}
