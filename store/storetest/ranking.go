package storetest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"newsarc/store"
)

// UpdateGoldenEnv is the environment variable that makes Ranking write its
// golden file instead of comparing with it.
const UpdateGoldenEnv = "NEWSARC_UPDATE_GOLDEN"

// rankingArticles is the size of the generated part of Ranking's corpus.
const rankingArticles = 2000

// rankingQueries are the searches whose first page Ranking pins: words,
// phrases, prefixes, OR, negation, scopes and keyword fields of the query
// language, in Chinese and English, with filters, by date, a later page,
// and the facets.
func rankingQueries() []struct {
	name string
	q    store.Query
} {
	may := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	all := store.FacetNames()
	return []struct {
		name string
		q    store.Query
	}{
		{"en-word", store.Query{Text: "market"}},
		{"en-words", store.Query{Text: "market reform"}},
		{"en-stemmed", store.Query{Text: "markets elections"}},
		{"zh-word", store.Query{Text: "经济"}},
		{"zh-words", store.Query{Text: "经济改革 市场"}},
		{"zh-long-word", store.Query{Text: "数据主权"}},
		{"mixed-script", store.Query{Text: "AI 人工智能"}},
		{"en-phrase", store.Query{Text: `"harbour bridge"`}},
		{"zh-phrase", store.Query{Text: `"经济改革"`}},
		{"or", store.Query{Text: "harbour OR bridge"}},
		{"group", store.Query{Text: "river (school OR health)"}},
		{"not", store.Query{Text: "market -reform"}},
		{"not-phrase", store.Query{Text: `经济 -"市场改革"`}},
		{"en-prefix", store.Query{Text: "harb*"}},
		{"zh-prefix", store.Query{Text: "经济改*"}},
		{"title", store.Query{Text: "title:market"}},
		{"title-phrase", store.Query{Text: `title:"trade war"`}},
		{"author", store.Query{Text: `author:"Jane Doe" economy`}},
		{"site-scope", store.Query{Text: "site:xinhua 经济"}},
		{"tag-scope", store.Query{Text: "tag:经济 OR tag:市场"}},
		{"filtered", store.Query{Text: "经济", Site: "xinhua", From: may}},
		{"by-date", store.Query{Text: "market", Sort: store.ByDate}},
		{"page-3", store.Query{Text: "market reform", Offset: 20}},
		{"all-by-date", store.Query{Offset: 5}},
		{"facets-zh", store.Query{Text: "经济", Facets: all}},
		{"facets-en", store.Query{Text: "market reform", Facets: all}},
		{"facets-all", store.Query{Facets: all}},
	}
}

// rankedPage is what Ranking records of one search: the total, the IDs of
// the page in order, and the facets (term facets with ties by term).
type rankedPage struct {
	Total  int                           `json:"total"`
	IDs    []string                      `json:"ids"`
	Facets map[string][]store.FacetCount `json:"facets,omitempty"`
}

// Ranking pins the relevance of s: it puts a fixed corpus (the search and
// query-language corpora and rankingArticles generated articles) into s,
// which must be empty, runs rankingQueries, and compares each total,
// ordered first page of IDs and facets with the golden file, a JSON file
// of the backend's own (each backend scores differently). With
// NEWSARC_UPDATE_GOLDEN=1 it writes the golden file instead; a missing
// golden file fails the test.
func Ranking(t *testing.T, s store.Store, golden string) {
	arts := append(corpus(), qlTradeWar, qlWarOnTrade, qlEconomist, qlApart)
	arts = append(arts, Articles(rankingArticles)...)
	for i := 0; i < len(arts); i += 500 {
		mustPut(t, s, arts[i:min(i+500, len(arts))]...)
	}
	got := map[string]rankedPage{}
	for _, c := range rankingQueries() {
		res := mustSearch(t, s, c.q)
		p := rankedPage{Total: res.Total, IDs: hitIDs(res)}
		for name, counts := range res.Facets {
			if p.Facets == nil {
				p.Facets = map[string][]store.FacetCount{}
			}
			counts = slices.Clone(counts)
			if name != store.FacetDate {
				slices.SortStableFunc(counts, func(a, b store.FacetCount) int {
					return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Term, b.Term))
				})
			}
			p.Facets[name] = counts
		}
		got[c.name] = p
	}
	if os.Getenv(UpdateGoldenEnv) == "1" {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", golden)
		return
	}
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("golden ranking: %v (run with %s=1 to write it)", err, UpdateGoldenEnv)
	}
	var want map[string]rankedPage
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("golden ranking %s: %v", golden, err)
	}
	for _, c := range rankingQueries() {
		w, ok := want[c.name]
		if !ok {
			t.Errorf("%s: not in %s (run with %s=1 to add it)", c.name, golden, UpdateGoldenEnv)
			continue
		}
		g := got[c.name]
		if g.Total != w.Total {
			t.Errorf("%s (%q): total %d, golden %d", c.name, c.q.Text, g.Total, w.Total)
		}
		if !slices.Equal(g.IDs, w.IDs) {
			t.Errorf("%s (%q): first page\n%s\ngolden\n%s", c.name, c.q.Text, pageOf(arts, g.IDs), pageOf(arts, w.IDs))
		}
		gf, _ := json.Marshal(g.Facets)
		wf, _ := json.Marshal(w.Facets)
		if !bytes.Equal(gf, wf) {
			t.Errorf("%s (%q): facets\n%s\ngolden\n%s", c.name, c.q.Text, gf, wf)
		}
	}
}

// pageOf lists ids with the titles of arts, one a line, for a failure
// message.
func pageOf(arts []*store.Article, ids []string) string {
	var b bytes.Buffer
	for i, id := range ids {
		title := "?"
		for _, a := range arts {
			if a.ID == id {
				title = a.Title
				break
			}
		}
		fmt.Fprintf(&b, "  %2d %s %s\n", i+1, id, title)
	}
	return b.String()
}
