package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"newsarc/store"
)

// simArticle builds an article of site with the given SimHash and a body
// long enough for store.Link.
func simArticle(site, slug string, h uint64) *store.Article {
	text := strings.Repeat("重复的正文。", 20) + slug
	a := article(site, "zh", "https://"+site+".example/"+slug+".html", "转载 "+slug, text,
		time.Date(2025, 3, 1, 8, 0, 0, 0, cst))
	a.SimHash = store.FormatSimHash(h)
	a.WordCount = 2 * store.MinLinkWords
	return a
}

// flip returns h with the given bits inverted.
func flip(h uint64, bits ...int) uint64 {
	for _, b := range bits {
		h ^= 1 << b
	}
	return h
}

const h0 = 0x0123456789abcdef

func testSimilar(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Bands are bits 0-12, 13-25, 26-38, 39-51 and 52-63.
	exact := simArticle("a", "exact", h0)
	one := simArticle("b", "one", flip(h0, 1))
	three := simArticle("c", "three", flip(h0, 0, 20, 40))       // bands 2 and 4 shared
	four := simArticle("d", "four", flip(h0, 5, 18, 30, 45))     // band 4 shared
	five := simArticle("e", "five", flip(h0, 6, 19, 31, 46, 60)) // one bit in every band
	far := simArticle("f", "far", ^uint64(h0))                   // every bit
	none := simArticle("g", "none", h0)
	none.SimHash = ""
	mustPut(t, s, exact, one, three, four, five, far, none)

	cases := []struct {
		h    uint64
		d    int
		want []*store.Article
	}{
		{h0, 4, []*store.Article{exact, one, three, four}},
		{h0, 3, []*store.Article{exact, one, three}},
		{h0, 0, []*store.Article{exact}},
		{flip(h0, 1), 4, []*store.Article{one, exact, three}}, // four and five are 5 and 6 bits from it
		{flip(h0, 1), 3, []*store.Article{one, exact}},
		{flip(h0, 7, 22, 33, 48, 58), 4, nil}, // shares no band with anything
		{^uint64(h0), 4, []*store.Article{far}},
		// Beyond MaxSimilarDistance only articles sharing a band are found.
		{h0, 64, []*store.Article{exact, one, three, four}},
	}
	for _, c := range cases {
		got, err := s.Similar(ctx, c.h, c.d)
		if err != nil {
			t.Fatalf("Similar(%016x, %d): %v", c.h, c.d, err)
		}
		// Titles are unique here, and say which article is which.
		if fmt.Sprint(titles(got)) != fmt.Sprint(titles(c.want)) {
			t.Errorf("Similar(%016x, %d) = %v, want %v (nearest first)", c.h, c.d, titles(got), titles(c.want))
		}
		for _, a := range got {
			if a.SimHash == "" || a.Cluster != "" && a.Cluster != a.ID {
				t.Errorf("Similar returned %s with simhash %q cluster %q", a.ID, a.SimHash, a.Cluster)
			}
		}
	}
}

func titles(articles []*store.Article) []string {
	out := make([]string, len(articles))
	for i, a := range articles {
		out[i] = a.Title
	}
	return out
}

// testLinkAndCluster links reprints with store.Link as a crawl does and
// searches a group with Query.Cluster.
func testLinkAndCluster(t *testing.T, s store.Store) {
	ctx := t.Context()
	link := func(a *store.Article) {
		t.Helper()
		if err := store.Link(ctx, s, a, store.MaxSimilarDistance); err != nil {
			t.Fatalf("Link %s: %v", a.Title, err)
		}
		mustPut(t, s, a)
	}
	check := func(a *store.Article, cluster, dupOf string) {
		t.Helper()
		got, err := s.Get(ctx, a.ID)
		if err != nil {
			t.Fatalf("Get %s: %v", a.Title, err)
		}
		if got.Cluster != cluster || got.DuplicateOf != dupOf {
			t.Errorf("%s: cluster %q duplicate_of %q, want %q %q", a.Title, got.Cluster, got.DuplicateOf, cluster, dupOf)
		}
	}

	orig := simArticle("a", "orig", h0)
	link(orig)
	check(orig, orig.ID, "")

	reprint := simArticle("b", "reprint", flip(h0, 1, 17)) // 2 bits from orig
	link(reprint)
	check(reprint, orig.ID, orig.ID)

	// 2 bits from the reprint, 4 from the original: it joins the group
	// as a copy of the reprint, its nearest.
	second := simArticle("c", "second", flip(h0, 1, 17, 33, 49))
	link(second)
	check(second, orig.ID, reprint.ID)

	// Too short to link, though its SimHash is the original's.
	short := simArticle("d", "short", h0)
	short.WordCount = store.MinLinkWords - 1
	link(short)
	check(short, short.ID, "")

	other := simArticle("e", "other", ^uint64(h0))
	link(other)
	check(other, other.ID, "")

	// Recrawls keep their places: the original stays first of its group,
	// though the reprint is now as near to it as it is to the reprint.
	again := *orig
	link(&again)
	check(orig, orig.ID, "")
	again2 := *reprint
	link(&again2)
	check(reprint, orig.ID, orig.ID)

	// A corrected reprint still near the group stays in it.
	edited := *second
	edited.Text += "（更正）"
	edited.ContentHash = store.HashText(edited.Text)
	edited.SimHash = store.FormatSimHash(flip(h0, 1, 17, 33))
	link(&edited)
	check(second, orig.ID, reprint.ID)

	res := mustSearch(t, s, store.Query{Cluster: orig.ID, Sort: store.ByDate, Limit: 10})
	got := map[string]bool{}
	for _, h := range res.Hits {
		got[h.Article.ID] = true
	}
	if res.Total != 3 || !got[orig.ID] || !got[reprint.ID] || !got[second.ID] {
		t.Errorf("Search Cluster=original: total %d hits %v, want the original and its two reprints", res.Total, got)
	}
	if n := len(scanAll(t, s, store.Query{Cluster: orig.ID})); n != 3 {
		t.Errorf("Scan Cluster=original visited %d, want 3", n)
	}
	if res := mustSearch(t, s, store.Query{Cluster: orig.ID, Site: "b"}); res.Total != 1 {
		t.Errorf("Search Cluster=original Site=b: total %d, want 1", res.Total)
	}
	if res := mustSearch(t, s, store.Query{Cluster: other.ID}); res.Total != 1 {
		t.Errorf("Search Cluster=other: total %d, want 1 (itself)", res.Total)
	}

	// An original archived before linking existed has no cluster; its
	// group still includes it.
	legacy := simArticle("f", "legacy", 0x00ff00ff00ff00ff)
	mustPut(t, s, legacy)
	late := simArticle("g", "late", flip(0x00ff00ff00ff00ff, 3))
	link(late)
	check(late, legacy.ID, legacy.ID)
	if res := mustSearch(t, s, store.Query{Cluster: legacy.ID}); res.Total != 2 {
		t.Errorf("Search Cluster=legacy: total %d, want 2 (the unlinked original and its reprint)", res.Total)
	}

	// Linking an archived article later (same text: an unchanged Put)
	// moves it into the group the filter sees.
	relinked := *other
	relinked.Cluster, relinked.DuplicateOf = legacy.ID, legacy.ID
	checkChanges(t, mustPut(t, s, &relinked), store.Unchanged)
	if res := mustSearch(t, s, store.Query{Cluster: legacy.ID}); res.Total != 3 {
		t.Errorf("Search Cluster=legacy after an unchanged Put moved another article into it: total %d, want 3", res.Total)
	}
	if res := mustSearch(t, s, store.Query{Cluster: other.ID}); res.Total != 1 {
		t.Errorf("Search Cluster=other after it moved: total %d, want 1 (the article of that ID)", res.Total)
	}
}
