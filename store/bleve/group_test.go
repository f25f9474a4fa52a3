package bleve_test

import (
	"context"
	"slices"
	"testing"

	"newsarc/store"
)

// TestPutGroupRepeatsID puts, in one call as a crawl's group commit does,
// an article read at an alternate URL and then the same article from its
// canonical page: they apply in order (created, then updated, the first
// kept as a version), the index holds the second once, and the archive is
// the same as after two puts.
func TestPutGroupRepeatsID(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	alt := &store.Article{ID: store.IDFor("https://news.example/a"), URL: "https://m.news.example/a",
		CanonicalURL: "https://news.example/a", Site: "news", Title: "Harbour reopens", Text: "The harbour reopened on Monday, the mobile copy says."}
	canon := *alt
	canon.URL, canon.Text = "https://news.example/a", "The harbour reopened on Monday after the storm."
	other := &store.Article{ID: store.IDFor("https://news.example/b"), URL: "https://news.example/b",
		CanonicalURL: "https://news.example/b", Site: "news", Title: "Budget passed", Text: "The council passed the budget."}
	changes, err := s.Put(ctx, alt, other, &canon)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Change{store.Created, store.Created, store.Updated}; !slices.Equal(changes, want) {
		t.Errorf("changes %v, want %v", changes, want)
	}
	got, err := s.Get(ctx, canon.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != canon.Text || got.URL != canon.URL || got.Version != 2 {
		t.Errorf("stored %q from %s, version %d; want the canonical page's, version 2", got.Text, got.URL, got.Version)
	}
	if v, err := s.Versions(ctx, canon.ID); err != nil || len(v) != 1 || v[0].Text != alt.Text {
		t.Errorf("versions %v, %v; want the alternate's text kept as version 1", v, err)
	}
	for q, want := range map[string]int{"storm": 1, "mobile": 0, "harbour": 1, "budget": 1} {
		res, err := s.Search(ctx, store.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != want {
			t.Errorf("search %q: %d hits, want %d", q, res.Total, want)
		}
	}
}
