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

// uiFacets are the facets the web UI asks of every search.
var uiFacets = store.FacetNames()

// BenchSearch runs the store benchmark's searches against s, which holds
// Articles(n) for some n, and reports each one's median and 95th
// percentile latency and its hits. Each search runs twice: with no
// facets ("facets=none", as the CLI's checks, an article's reprints or
// export ask) and with the six facets the web UI asks for ("facets=ui").
// The "distinct" rows ask another pair of words each time, so that no
// cache answers them. On a shared machine the latencies depend on the
// load; cpu-ms/op, the CPU time of the benchmark process per search
// (background work included), depends less on it. For a remote store it
// is only the client's part.
func BenchSearch(b *testing.B, s store.Store) {
	ctx := context.Background()
	may := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	en := []string{"economy", "market", "government", "school", "health", "energy", "transport", "culture",
		"sport", "technology", "farm", "travel", "river", "city", "village", "company", "invest"}
	zh := []string{"经济", "市场", "政府", "教育", "医疗", "能源", "交通", "文化", "体育", "科技",
		"农业", "旅游", "环境", "城市", "乡村", "企业", "投资"}
	pair := func(words []string) func(i int) store.Query {
		return func(i int) store.Query {
			return store.Query{Text: words[i%len(words)] + " " + words[(i/len(words)+i+1)%len(words)]}
		}
	}
	fixed := func(q store.Query) func(int) store.Query { return func(int) store.Query { return q } }
	rows := []struct {
		name string
		q    func(i int) store.Query
	}{
		{"zh-word", fixed(store.Query{Text: "经济"})},
		{"zh-words", fixed(store.Query{Text: "经济改革 市场"})},
		{"en-word", fixed(store.Query{Text: "market"})},
		{"en-words", fixed(store.Query{Text: "market reform"})},
		{"zh-filtered", fixed(store.Query{Text: "经济", Site: "xinhua", From: may})},
		{"all-by-date", fixed(store.Query{})},
		{"page-10", fixed(store.Query{Text: "market", Sort: store.ByDate, Offset: 100})},
		{"en-distinct", pair(en)},
		{"zh-distinct", pair(zh)},
	}
	for _, facets := range []struct {
		name  string
		names []string
	}{{"none", nil}, {"ui", uiFacets}} {
		for _, r := range rows {
			b.Run(r.name+"/facets="+facets.name, func(b *testing.B) {
				var lat []time.Duration
				total, i := 0, 0
				cpu0 := cpuTime()
				for b.Loop() {
					q := r.q(i)
					q.Facets = facets.names
					i++
					start := time.Now()
					res, err := s.Search(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
					total = res.Total
				}
				cpu := cpuTime() - cpu0
				slices.Sort(lat)
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
				b.ReportMetric(ms(cpu)/float64(len(lat)), "cpu-ms/op")
				b.ReportMetric(ms(lat[len(lat)*50/100]), "p50-ms")
				b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*95/100)]), "p95-ms")
				b.ReportMetric(float64(total), "hits")
			})
		}
	}
}
