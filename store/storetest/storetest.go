// Package storetest is the conformance suite of store.Store: every backend's
// tests call Run, so that all backends archive, version, search and scan
// articles alike, Chinese and English. It owns the suite and its generated
// data (Articles, also used by backends' benchmarks); backend-specific
// behaviour (reopening, repair, raw bodies) stays in the backends' own tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"newsarc/store"
)

// Run runs the conformance suite. open must return a fresh, empty store for
// each call and arrange its own cleanup (which may find it already closed).
func Run(t *testing.T, open func(t testing.TB) store.Store) {
	t.Run("PutGet", func(t *testing.T) { testPutGet(t, open(t)) })
	t.Run("GetNotFound", func(t *testing.T) { testGetNotFound(t, open(t)) })
	t.Run("PutUnchanged", func(t *testing.T) { testPutUnchanged(t, open(t)) })
	t.Run("PutUpdated", func(t *testing.T) { testPutUpdated(t, open(t)) })
	t.Run("PutBatch", func(t *testing.T) { testPutBatch(t, open(t)) })
	t.Run("Search", func(t *testing.T) { testSearch(t, open(t)) })
	t.Run("QueryLanguage", func(t *testing.T) { testQueryLanguage(t, open(t)) })
	t.Run("FacetSize", func(t *testing.T) { testFacetSize(t, open(t)) })
	t.Run("SearchAfterUpdate", func(t *testing.T) { testSearchAfterUpdate(t, open(t)) })
	t.Run("Scan", func(t *testing.T) { testScan(t, open(t)) })
	t.Run("Similar", func(t *testing.T) { testSimilar(t, open(t)) })
	t.Run("LinkAndCluster", func(t *testing.T) { testLinkAndCluster(t, open(t)) })
	t.Run("NearLinks", func(t *testing.T) { testNearLinks(t, open(t)) })
	t.Run("LinkRecall", func(t *testing.T) { testLinkRecall(t, open(t)) })
	t.Run("RemovedChanged", func(t *testing.T) { testRemovedChanged(t, open(t)) })
	t.Run("ConcurrentPut", func(t *testing.T) { testConcurrentPut(t, open(t)) })
	t.Run("CanceledContext", func(t *testing.T) { testCanceledContext(t, open(t)) })
	t.Run("Closed", func(t *testing.T) { testClosed(t, open(t)) })
}

func testPutGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	want := &store.Article{
		ID:           store.IDFor("https://xinhua.example/full.html"),
		URL:          "https://xinhua.example/full.html?from=rss",
		CanonicalURL: "https://xinhua.example/full.html",
		Site:         "xinhua",
		Title:        "完整的文章",
		Subtitle:     "副标题",
		Authors:      []string{"张伟", "Jane Doe"},
		Editor:       "李娜",
		Source:       "新华社",
		Publisher:    "新华网",
		Published:    time.Date(2025, 2, 18, 5, 44, 0, 0, cst),
		Modified:     time.Date(2025, 2, 18, 9, 1, 2, 3000, cst),
		Language:     "zh",
		Section:      "国内",
		Tags:         []string{"经济", "数据"},
		Description:  "一篇字段齐全的文章。",
		TopImage:     "https://xinhua.example/top.jpg",
		Images:       []store.Image{{URL: "https://xinhua.example/a.jpg", Caption: "图一"}, {URL: "https://xinhua.example/b.jpg"}},
		Text:         "第一段。\n\n第二段 with English.",
		HTML:         "<p>第一段。</p><p>第二段 with English.</p>",
		WordCount:    9,
		ContentHash:  store.HashText("第一段。\n\n第二段 with English."),
		FetchedAt:    time.Date(2025, 2, 18, 6, 0, 0, 0, time.UTC),
		RemovedAt:    time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		Capture:      store.Capture{File: "newsarc-0001.warc.gz", Offset: 12345, RecordID: "<urn:uuid:1>", Status: 200, Type: "text/html; charset=utf-8"},
		Provenance:   map[string]string{"title": "opengraph", "published_at": "json-ld"},
		SimHash:      "0123456789abcdef",
		Cluster:      store.IDFor("https://people.example/original.html"),
		DuplicateOf:  store.IDFor("https://people.example/original.html"),
		Raw:          []byte("<html>raw</html>"),
	}
	changes := mustPut(t, s, want)
	checkChanges(t, changes, store.Created)

	got, err := s.Get(ctx, want.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.Raw != nil {
		t.Errorf("Get returned Raw (%d bytes); Raw is not part of the record", len(got.Raw))
	}
	expect := *want
	expect.Raw = nil
	expect.Version = 1
	checkArticle(t, got, &expect)
}

func testGetNotFound(t *testing.T, s store.Store) {
	mustPut(t, s, corpus()[0])
	if _, err := s.Get(t.Context(), store.IDFor("https://nowhere.example/")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := s.Versions(t.Context(), store.IDFor("https://nowhere.example/")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Versions(unknown) error = %v, want ErrNotFound", err)
	}
}

func testPutUnchanged(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := corpus()[0]
	checkChanges(t, mustPut(t, s, a), store.Created)

	again := *a
	again.FetchedAt = a.FetchedAt.Add(24 * time.Hour)
	again.Section = "要闻"
	checkChanges(t, mustPut(t, s, &again), store.Unchanged)

	got, err := s.Get(ctx, a.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.Version != 1 {
		t.Errorf("Version = %d after an unchanged Put, want 1", got.Version)
	}
	if !got.FetchedAt.Equal(again.FetchedAt) || got.Section != "要闻" {
		t.Errorf("unchanged Put did not refresh fetch time and metadata: FetchedAt %v, Section %q", got.FetchedAt, got.Section)
	}
	vs, err := s.Versions(ctx, a.ID)
	if err != nil {
		t.Fatalf("Versions: %v", err)
	}
	if len(vs) != 0 {
		t.Errorf("Versions = %d records after an unchanged Put, want none", len(vs))
	}
	if res := mustSearch(t, s, store.Query{}); res.Total != 1 || len(res.Hits) != 1 {
		t.Errorf("match-all Search: Total %d, %d hits; want one record", res.Total, len(res.Hits))
	}
	// The refreshed metadata is what filters and facets see.
	checkIDs(t, mustSearch(t, s, store.Query{Section: "要闻"}), false, got)
	checkIDs(t, mustSearch(t, s, store.Query{Section: a.Section}), false)
	checkFacet(t, mustSearch(t, s, store.Query{Facets: []string{store.FacetSection}}), "section", map[string]int{"要闻": 1})
}

func testPutUpdated(t *testing.T, s store.Store) {
	ctx := t.Context()
	v1 := corpus()[0]
	mustPut(t, s, v1)

	v2 := *v1
	v2.Text = v1.Text + "\n\n更正：补充了一段。"
	v2.ContentHash = store.HashText(v2.Text)
	v2.FetchedAt = v1.FetchedAt.Add(time.Hour)
	checkChanges(t, mustPut(t, s, &v2), store.Updated)

	v3 := v2
	v3.Text = "全文已替换。"
	v3.ContentHash = store.HashText(v3.Text)
	checkChanges(t, mustPut(t, s, &v3), store.Updated)

	got, err := s.Get(ctx, v1.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.Version != 3 || got.Text != v3.Text {
		t.Errorf("Get after two updates: Version %d, Text %q; want 3, %q", got.Version, got.Text, v3.Text)
	}
	vs, err := s.Versions(ctx, v1.ID)
	if err != nil {
		t.Fatalf("Versions: %v", err)
	}
	if len(vs) != 2 {
		t.Fatalf("Versions returned %d records, want 2", len(vs))
	}
	for i, want := range []*store.Article{v1, &v2} {
		if vs[i].Version != i+1 || vs[i].Text != want.Text || vs[i].ContentHash != want.ContentHash {
			t.Errorf("Versions[%d]: Version %d, Text %q; want %d, %q", i, vs[i].Version, vs[i].Text, i+1, want.Text)
		}
	}
	if res := mustSearch(t, s, store.Query{}); res.Total != 1 {
		t.Errorf("match-all Search Total = %d after updates, want 1", res.Total)
	}
}

func testPutBatch(t *testing.T, s store.Store) {
	c := corpus()
	mustPut(t, s, c[0], c[1])

	changed := *c[1]
	changed.Text = "新的正文。"
	changed.ContentHash = store.HashText(changed.Text)
	changes := mustPut(t, s, c[2], c[0], &changed, c[3])
	checkChanges(t, changes, store.Created, store.Unchanged, store.Updated, store.Created)

	if got := mustSearch(t, s, store.Query{}).Total; got != 4 {
		t.Errorf("match-all Total = %d, want 4", got)
	}
	if changes := mustPut(t, s); len(changes) != 0 {
		t.Errorf("empty Put reported %d changes", len(changes))
	}
}

func testSearch(t *testing.T, s store.Store) {
	mustPut(t, s, corpus()...)

	t.Run("EnglishWord", func(t *testing.T) {
		res := mustSearch(t, s, store.Query{Text: "election"})
		checkIDs(t, res, false, enElection, enClimate, enMarkets)
	})
	t.Run("EnglishCaseInsensitive", func(t *testing.T) {
		res := mustSearch(t, s, store.Query{Text: "CLIMATE"})
		checkIDs(t, res, false, enClimate, enUndated)
	})
	t.Run("EnglishAllTerms", func(t *testing.T) {
		res := mustSearch(t, s, store.Query{Text: "climate election"})
		checkIDs(t, res, false, enClimate)
	})
	t.Run("ChineseTwoCharacters", func(t *testing.T) {
		res := mustSearch(t, s, store.Query{Text: "主权"})
		checkIDs(t, res, false, zhSovereignty, zhTitle) // not zhNoSovereignty: 主要…权利
	})
	t.Run("ChineseMultiCharacter", func(t *testing.T) {
		res := mustSearch(t, s, store.Query{Text: "数据主权"})
		checkIDs(t, res, false, zhSovereignty, zhTitle) // not zhAI: 数据安全
		res = mustSearch(t, s, store.Query{Text: "人工智能"})
		checkIDs(t, res, false, zhAI)
		res = mustSearch(t, s, store.Query{Text: "主权 焦点"})
		checkIDs(t, res, false, zhTitle)
	})
	t.Run("MixedScript", func(t *testing.T) {
		res := mustSearch(t, s, store.Query{Text: "人工智能 safety"})
		checkIDs(t, res, false, zhAI)
	})
	t.Run("NoMatch", func(t *testing.T) {
		res := mustSearch(t, s, store.Query{Text: "独角兽"})
		checkIDs(t, res, false)
	})
	t.Run("TitleRanksAboveBody", func(t *testing.T) {
		for _, c := range []struct {
			text  string
			first *store.Article
		}{{"主权", zhTitle}, {"election", enElection}} {
			res := mustSearch(t, s, store.Query{Text: c.text})
			if len(res.Hits) == 0 || res.Hits[0].Article.ID != c.first.ID {
				t.Errorf("Search(%q): first hit %v, want the title match %q", c.text, hitTitles(res), c.first.Title)
			}
		}
	})
	t.Run("Filters", func(t *testing.T) {
		for _, c := range []struct {
			name string
			q    store.Query
			want []*store.Article
		}{
			{"Site", store.Query{Site: "bbc"}, []*store.Article{enElection, enMarkets}},
			{"Language", store.Query{Language: "zh"}, []*store.Article{zhSovereignty, zhNoSovereignty, zhTitle, zhAI}},
			{"Author", store.Query{Author: "Jane Doe"}, []*store.Article{enClimate, enElection}},
			{"AuthorChinese", store.Query{Author: "张伟"}, []*store.Article{zhSovereignty, zhTitle}},
			{"FromTo", store.Query{From: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)},
				[]*store.Article{zhNoSovereignty, zhTitle, enElection}},
			{"FromInclusive", store.Query{From: enMarkets.Published}, []*store.Article{enMarkets, zhAI}},
			{"ToExclusive", store.Query{To: enClimate.Published}, []*store.Article{zhSovereignty}},
			{"TextAndSite", store.Query{Text: "election", Site: "bbc"}, []*store.Article{enElection, enMarkets}},
			{"TextAndLanguage", store.Query{Text: "AI", Language: "en"}, nil},
			{"UnknownSite", store.Query{Site: "nowhere"}, nil},
			{"Section", store.Query{Section: "经济"}, []*store.Article{zhSovereignty, zhTitle}},
			{"SectionNotTag", store.Query{Section: "politics"}, []*store.Article{enElection}},
			{"SectionExact", store.Query{Section: "Politics"}, nil},
			{"Tag", store.Query{Tag: "数据"}, []*store.Article{zhSovereignty, zhTitle, zhAI}},
			{"TagAnyOfTags", store.Query{Tag: "election"}, []*store.Article{enElection, enMarkets}},
			{"TagNotSection", store.Query{Tag: "politics"}, []*store.Article{enClimate}},
			{"TagExact", store.Query{Tag: "数"}, nil},
			{"SectionAndTag", store.Query{Section: "经济", Tag: "立法"}, []*store.Article{zhSovereignty}},
			{"SectionAndSite", store.Query{Section: "经济", Site: "people"}, []*store.Article{zhTitle}},
			{"TextAndTag", store.Query{Text: "election", Tag: "election"}, []*store.Article{enElection, enMarkets}},
			{"TextAndSection", store.Query{Text: "主权", Section: "经济"}, []*store.Article{zhSovereignty, zhTitle}},
		} {
			t.Run(c.name, func(t *testing.T) {
				checkIDs(t, mustSearch(t, s, c.q), false, c.want...)
			})
		}
	})
	t.Run("SortByDate", func(t *testing.T) {
		want := []*store.Article{zhAI, enMarkets, zhTitle, zhNoSovereignty, enElection, enClimate, zhSovereignty, enUndated}
		checkIDs(t, mustSearch(t, s, store.Query{Sort: store.ByDate}), true, want...)
		checkIDs(t, mustSearch(t, s, store.Query{}), true, want...) // no text: date order by default
		checkIDs(t, mustSearch(t, s, store.Query{Text: "election", Sort: store.ByDate}), true, enMarkets, enElection, enClimate)
	})
	t.Run("Pagination", func(t *testing.T) {
		all := mustSearch(t, s, store.Query{Sort: store.ByDate, Limit: 100})
		var paged []string
		for offset := 0; offset < 10; offset += 3 {
			res := mustSearch(t, s, store.Query{Sort: store.ByDate, Limit: 3, Offset: offset})
			if res.Total != 8 {
				t.Errorf("Offset %d: Total = %d, want 8", offset, res.Total)
			}
			if want := min(3, max(0, 8-offset)); len(res.Hits) != want {
				t.Errorf("Offset %d: %d hits, want %d", offset, len(res.Hits), want)
			}
			paged = append(paged, hitIDs(res)...)
		}
		if !slices.Equal(paged, hitIDs(all)) {
			t.Errorf("pages joined = %v, want %v", paged, hitIDs(all))
		}
	})
	t.Run("Highlight", func(t *testing.T) {
		for _, c := range []struct{ text, mark string }{
			{"主权", "主权"},
			{"election", "election"},
			{"数据主权", ""},
			{"safety", "safety"},
		} {
			res := mustSearch(t, s, store.Query{Text: c.text})
			if len(res.Hits) == 0 {
				t.Fatalf("Search(%q): no hits", c.text)
			}
			for _, h := range res.Hits {
				if !markedIn(h.Fragments, c.mark) {
					t.Errorf("Search(%q) hit %q: fragments %q lack <mark>%s</mark>", c.text, h.Article.Title, h.Fragments, c.mark)
				}
			}
		}
	})
	t.Run("Facets", func(t *testing.T) {
		res := mustSearch(t, s, store.Query{Facets: store.FacetNames()})
		checkFacetNames(t, res, store.FacetNames()...)
		checkFacet(t, res, "site", map[string]int{"xinhua": 2, "people": 2, "bbc": 2, "reuters": 2})
		checkFacet(t, res, "author", map[string]int{"张伟": 2, "Jane Doe": 2, "John Smith": 2, "李娜": 1, "王芳": 1})
		checkFacet(t, res, "language", map[string]int{"zh": 4, "en": 4})
		checkFacet(t, res, "section", map[string]int{"经济": 2, "社会": 1, "科技": 1, "world": 1, "politics": 1, "business": 1})
		checkFacet(t, res, "tag", map[string]int{"数据": 3, "election": 2, "立法": 1, "城市": 1, "人工智能": 1,
			"climate": 1, "politics": 1, "markets": 1})
		checkFacet(t, res, "date", map[string]int{"2025-01": 2, "2025-02": 3, "2025-03": 2})

		res = mustSearch(t, s, store.Query{Text: "election", Limit: 1, Facets: []string{"site", "date", "tag"}})
		checkFacetNames(t, res, "site", "date", "tag")
		checkFacet(t, res, "site", map[string]int{"bbc": 2, "reuters": 1})
		checkFacet(t, res, "date", map[string]int{"2025-01": 1, "2025-02": 1, "2025-03": 1})
		checkFacet(t, res, "tag", map[string]int{"election": 2, "markets": 1, "climate": 1, "politics": 1})

		res = mustSearch(t, s, store.Query{Section: "经济", Facets: []string{"tag", "section"}})
		checkFacetNames(t, res, "tag", "section")
		checkFacet(t, res, "tag", map[string]int{"数据": 2, "立法": 1})
		checkFacet(t, res, "section", map[string]int{"经济": 2})

		// A facet no match has a value for is there, empty.
		res = mustSearch(t, s, store.Query{Text: "notice", Facets: []string{"section", "tag", "date"}})
		checkIDs(t, res, false, enUndated)
		checkFacetNames(t, res, "section", "tag", "date")
		checkFacet(t, res, "section", map[string]int{})
		checkFacet(t, res, "tag", map[string]int{})
		checkFacet(t, res, "date", map[string]int{})
	})
	t.Run("NoFacets", func(t *testing.T) {
		for _, q := range []store.Query{{}, {Facets: []string{}}, {Text: "election"}, {Tag: "数据", Sort: store.ByDate}} {
			res := mustSearch(t, s, q)
			if len(res.Facets) != 0 {
				t.Errorf("Search(%+v) computed facets %v; none were asked for", q, slices.Sorted(maps.Keys(res.Facets)))
			}
			if res.Total == 0 || len(res.Hits) == 0 {
				t.Errorf("Search(%+v): Total %d, %d hits; want matches", q, res.Total, len(res.Hits))
			}
		}
	})
	t.Run("UnknownFacet", func(t *testing.T) {
		for _, names := range [][]string{{"sites"}, {"site", "Tag"}, {""}, {"month"}} {
			bad := names[len(names)-1]
			res, err := s.Search(t.Context(), store.Query{Facets: names})
			if !errors.Is(err, store.ErrUnknownFacet) {
				t.Errorf("Search with Facets %q: %v, %v; want an error wrapping ErrUnknownFacet", names, res, err)
				continue
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
				t.Errorf("Search with Facets %q: error %q does not name %q", names, err, bad)
			}
		}
		// Scan computes no facets, and ignores them as it ignores Limit.
		if got := scanAll(t, s, store.Query{Tag: "数据", Facets: []string{"sites"}}); len(got) != 3 {
			t.Errorf("Scan with Facets: %d articles, want 3", len(got))
		}
	})
}

// testFacetSize checks that a term facet keeps its store.FacetSize largest
// buckets.
func testFacetSize(t *testing.T, s store.Store) {
	arts := Articles(store.FacetSize + 20)
	want := map[string]int{}
	for i, a := range arts {
		switch {
		case i < 12: // four sections of three articles each
			a.Section = fmt.Sprintf("big-%d", i%4)
		default: // the rest one each
			a.Section = fmt.Sprintf("s%03d", i)
		}
		a.Tags = append(a.Tags, "all")
		want[a.Section]++
	}
	mustPut(t, s, arts...)
	res := mustSearch(t, s, store.Query{Facets: []string{store.FacetSection, store.FacetTag}})
	sections := res.Facets[store.FacetSection]
	if len(sections) != store.FacetSize {
		t.Fatalf("section facet has %d buckets, want %d", len(sections), store.FacetSize)
	}
	for i, b := range sections {
		if i < 4 && (!strings.HasPrefix(b.Term, "big-") || b.Count != 3) || i >= 4 && b.Count != 1 {
			t.Errorf("section bucket %d = %+v; want the four of 3 first, then ones", i, b)
		}
		if want[b.Term] != b.Count {
			t.Errorf("section bucket %+v, want count %d", b, want[b.Term])
		}
	}
	if tags := res.Facets[store.FacetTag]; len(tags) == 0 || tags[0] != (store.FacetCount{Term: "all", Count: len(arts)}) {
		t.Errorf("tag facet starts %v, want all: %d", tags[:min(len(tags), 1)], len(arts))
	}
}

func testSearchAfterUpdate(t *testing.T, s store.Store) {
	c := corpus()
	mustPut(t, s, c...)
	a := *enClimate
	a.Text = "Lawmakers postponed the vote on the harbour tariff."
	a.ContentHash = store.HashText(a.Text)
	checkChanges(t, mustPut(t, s, &a), store.Updated)

	checkIDs(t, mustSearch(t, s, store.Query{Text: "tariff"}), false, &a)
	checkIDs(t, mustSearch(t, s, store.Query{Text: "election"}), false, enElection, enMarkets)
	res := mustSearch(t, s, store.Query{Text: "parliament"}) // title kept
	checkIDs(t, res, false, &a)
	if res.Hits[0].Article.Version != 2 {
		t.Errorf("hit Version = %d, want 2", res.Hits[0].Article.Version)
	}
	if got := mustSearch(t, s, store.Query{Limit: 100}); got.Total != len(c) || len(got.Hits) != len(c) {
		t.Errorf("match-all after update: Total %d, %d hits; want %d", got.Total, len(got.Hits), len(c))
	}
	res = mustSearch(t, s, store.Query{Facets: []string{"site", "tag"}})
	checkFacet(t, res, "site", map[string]int{"xinhua": 2, "people": 2, "bbc": 2, "reuters": 2})
	checkFacet(t, res, "tag", map[string]int{"数据": 3, "election": 2, "立法": 1, "城市": 1, "人工智能": 1,
		"climate": 1, "politics": 1, "markets": 1})
}

func testScan(t *testing.T, s store.Store) {
	ctx := t.Context()
	// More articles than any backend's page size (bleve: 500, so that
	// Scan pages several times), Chinese and English, some undated.
	arts := Articles(1234)
	for i := 0; i < len(arts); i += 100 {
		mustPut(t, s, arts[i:min(i+100, len(arts))]...)
	}
	bySite, byTag := map[string]int{}, map[string]int{}
	for _, a := range arts {
		bySite[a.Site]++
		for _, tag := range a.Tags {
			byTag[tag]++
		}
	}

	t.Run("All", func(t *testing.T) {
		got := scanAll(t, s, store.Query{})
		checkScan(t, got, arts)
	})
	t.Run("Filter", func(t *testing.T) {
		var want []*store.Article
		for _, a := range arts {
			if a.Site == "bbc" && a.Language == "en" {
				want = append(want, a)
			}
		}
		checkScan(t, scanAll(t, s, store.Query{Site: "bbc", Language: "en"}), want)
	})
	t.Run("Tag", func(t *testing.T) {
		var want []*store.Article
		for _, a := range arts {
			if slices.Contains(a.Tags, "能源") {
				want = append(want, a)
			}
		}
		checkScan(t, scanAll(t, s, store.Query{Tag: "能源"}), want)
	})
	t.Run("Text", func(t *testing.T) {
		var want []*store.Article
		for _, a := range arts {
			if strings.Contains(a.Title+" "+a.Text, "教育") {
				want = append(want, a)
			}
		}
		checkScan(t, scanAll(t, s, store.Query{Text: "教育"}), want)
	})
	t.Run("IgnoresLimit", func(t *testing.T) {
		got := scanAll(t, s, store.Query{Limit: 5, Offset: 7, Sort: store.ByRelevance})
		checkScan(t, got, arts)
	})
	t.Run("StopsAtError", func(t *testing.T) {
		stop := errors.New("enough")
		calls := 0
		err := s.Scan(ctx, store.Query{}, func(*store.Article) error {
			calls++
			if calls == 5 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || calls != 5 {
			t.Errorf("Scan returned %v after %d calls; want fn's error after 5", err, calls)
		}
	})
	t.Run("SearchDefaults", func(t *testing.T) {
		res := mustSearch(t, s, store.Query{Facets: []string{store.FacetSite, store.FacetTag}})
		if res.Total != len(arts) || len(res.Hits) != 10 {
			t.Errorf("match-all Search: Total %d, %d hits; want %d, 10 (default limit)", res.Total, len(res.Hits), len(arts))
		}
		checkFacet(t, res, "site", bySite)
		checkFacet(t, res, "tag", byTag)
	})
}

func testConcurrentPut(t *testing.T, s store.Store) {
	ctx := t.Context()
	arts := Articles(120)
	const workers = 6
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	for w := range workers {
		wg.Go(func() {
			// Each worker puts every workers-th article in batches of
			// five, searching as it goes, then changes a shared one.
			var mine []*store.Article
			for i := w; i < len(arts); i += workers {
				mine = append(mine, arts[i])
			}
			for len(mine) > 0 {
				n := min(5, len(mine))
				if _, err := s.Put(ctx, mine[:n]...); err != nil {
					errs <- fmt.Errorf("worker %d: %w", w, err)
					return
				}
				mine = mine[n:]
				if _, err := s.Search(ctx, store.Query{Text: "market"}); err != nil {
					errs <- fmt.Errorf("worker %d search: %w", w, err)
					return
				}
			}
			shared := *arts[0]
			shared.Text = fmt.Sprintf("worker %d was here", w)
			shared.ContentHash = store.HashText(shared.Text)
			if _, err := s.Put(ctx, &shared); err != nil {
				errs <- fmt.Errorf("worker %d shared: %w", w, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := mustSearch(t, s, store.Query{}).Total; got != len(arts) {
		t.Errorf("match-all Total = %d after concurrent Puts, want %d", got, len(arts))
	}
	got, err := s.Get(ctx, arts[0].ID)
	if err != nil {
		t.Fatalf("Get shared: %v", err)
	}
	vs, err := s.Versions(ctx, arts[0].ID)
	if err != nil {
		t.Fatalf("Versions shared: %v", err)
	}
	if got.Version != len(vs)+1 {
		t.Errorf("shared article: Version %d with %d earlier versions", got.Version, len(vs))
	}
	checkIDs(t, mustSearch(t, s, store.Query{Text: "was here"}), false, got)
}

func testCanceledContext(t *testing.T, s store.Store) {
	mustPut(t, s, corpus()...)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Put(ctx, corpus()[0]); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with canceled context: %v, want context.Canceled", err)
	}
	if _, err := s.Search(ctx, store.Query{Text: "主权"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Search with canceled context: %v, want context.Canceled", err)
	}
	err := s.Scan(ctx, store.Query{}, func(*store.Article) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Scan with canceled context: %v, want context.Canceled", err)
	}
}

func testClosed(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := corpus()[0]
	mustPut(t, s, a)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", op, err)
		}
	}
	_, err := s.Put(ctx, a)
	check("Put", err)
	_, err = s.Get(ctx, a.ID)
	check("Get", err)
	_, err = s.Versions(ctx, a.ID)
	check("Versions", err)
	_, err = s.Search(ctx, store.Query{})
	check("Search", err)
	_, err = s.Similar(ctx, 1, 3)
	check("Similar", err)
	check("Scan", s.Scan(ctx, store.Query{}, func(*store.Article) error { return nil }))
}

// mustPut puts articles and fails the test on error.
func mustPut(t testing.TB, s store.Store, articles ...*store.Article) []store.Change {
	t.Helper()
	changes, err := s.Put(context.Background(), articles...)
	if err != nil {
		t.Fatalf("Put %d articles: %v", len(articles), err)
	}
	if len(changes) != len(articles) {
		t.Fatalf("Put %d articles reported %d changes", len(articles), len(changes))
	}
	return changes
}

// mustSearch searches and fails the test on error.
func mustSearch(t testing.TB, s store.Store, q store.Query) *store.Results {
	t.Helper()
	res, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

// scanAll scans q and returns every article visited.
func scanAll(t testing.TB, s store.Store, q store.Query) []*store.Article {
	t.Helper()
	var got []*store.Article
	err := s.Scan(context.Background(), q, func(a *store.Article) error {
		got = append(got, a)
		return nil
	})
	if err != nil {
		t.Fatalf("Scan(%+v): %v", q, err)
	}
	return got
}

// checkScan checks that got holds each of want exactly once, newest
// published first, undated last.
func checkScan(t testing.TB, got, want []*store.Article) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("Scan visited %d articles, want %d", len(got), len(want))
	}
	seen := map[string]bool{}
	for i, a := range got {
		if seen[a.ID] {
			t.Errorf("Scan visited %s twice", a.ID)
		}
		seen[a.ID] = true
		if i > 0 && newer(a, got[i-1]) {
			t.Errorf("Scan out of order at %d: %v after %v", i, a.Published, got[i-1].Published)
		}
	}
	for _, a := range want {
		if !seen[a.ID] {
			t.Errorf("Scan missed %s (%q)", a.ID, a.Title)
		}
	}
}

// newer reports whether a sorts before b by date: later published, and
// any date before none.
func newer(a, b *store.Article) bool {
	switch {
	case a.Published.IsZero():
		return false
	case b.Published.IsZero():
		return true
	default:
		return a.Published.After(b.Published)
	}
}

// checkChanges compares Put's report with want.
func checkChanges(t testing.TB, got []store.Change, want ...store.Change) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("Put changes = %v, want %v", got, want)
	}
}

// checkIDs checks the hits of res against want: in order when ordered,
// as a set otherwise; Total must match too.
func checkIDs(t testing.TB, res *store.Results, ordered bool, want ...*store.Article) {
	t.Helper()
	got := hitIDs(res)
	wantIDs := make([]string, len(want))
	for i, a := range want {
		wantIDs[i] = a.ID
	}
	if !ordered {
		got = slices.Sorted(slices.Values(got))
		slices.Sort(wantIDs)
	}
	if !slices.Equal(got, wantIDs) || res.Total != len(want) {
		titles := make([]string, len(want))
		for i, a := range want {
			titles[i] = a.Title
		}
		t.Errorf("hits = %q (Total %d), want %q", hitTitles(res), res.Total, titles)
	}
}

func hitIDs(res *store.Results) []string {
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.Article.ID
	}
	return ids
}

func hitTitles(res *store.Results) []string {
	titles := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		titles[i] = h.Article.Title
	}
	return titles
}

// markedIn reports whether some fragment marks term (case-insensitively),
// or marks anything when term is empty.
func markedIn(fragments []string, term string) bool {
	for _, f := range fragments {
		for rest := f; ; {
			_, after, ok := strings.Cut(rest, "<mark>")
			if !ok {
				break
			}
			marked, tail, ok := strings.Cut(after, "</mark>")
			if !ok {
				break
			}
			if term == "" || strings.EqualFold(marked, term) {
				return true
			}
			rest = tail
		}
	}
	return false
}

// checkFacet compares one facet of res with want, and checks its order:
// months in order for "date", else largest first.
func checkFacet(t testing.TB, res *store.Results, name string, want map[string]int) {
	t.Helper()
	buckets, ok := res.Facets[name]
	if !ok {
		t.Errorf("no facet %q (facets: %v)", name, slices.Sorted(maps.Keys(res.Facets)))
		return
	}
	got := map[string]int{}
	for i, fc := range buckets {
		if _, dup := got[fc.Term]; dup {
			t.Errorf("facet %q has %q twice: %v", name, fc.Term, buckets)
		}
		got[fc.Term] = fc.Count
		if i == 0 {
			continue
		}
		if prev := buckets[i-1]; name == store.FacetDate && prev.Term >= fc.Term || name != store.FacetDate && prev.Count < fc.Count {
			t.Errorf("facet %q out of order at %d: %v", name, i, buckets)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("facet %q = %v, want %v", name, got, want)
	}
}

// checkFacetNames checks that res has exactly the facets names.
func checkFacetNames(t testing.TB, res *store.Results, names ...string) {
	t.Helper()
	got := slices.Sorted(maps.Keys(res.Facets))
	if want := slices.Sorted(slices.Values(names)); !slices.Equal(got, want) {
		t.Errorf("facets %v, want %v", got, want)
	}
}

// checkArticle compares every field of got with want, times by Equal.
func checkArticle(t testing.TB, got, want *store.Article) {
	t.Helper()
	g, w := *got, *want
	for _, p := range []struct{ g, w *time.Time }{
		{&g.Published, &w.Published}, {&g.Modified, &w.Modified},
		{&g.FetchedAt, &w.FetchedAt}, {&g.RemovedAt, &w.RemovedAt},
	} {
		if !p.g.Equal(*p.w) {
			t.Errorf("time %v, want %v", *p.g, *p.w)
		}
		*p.g, *p.w = time.Time{}, time.Time{}
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("Get returned\n%+v\nwant\n%+v", g, w)
	}
}
