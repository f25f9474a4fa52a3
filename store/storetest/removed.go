package storetest

import (
	"testing"
	"time"

	"newsarc/store"
)

// testRemovedChanged checks Query.Removed (RemovedAt set) and Query.Changed
// (more than one version), alone, together, with other filters and text,
// in Search and Scan, and that a page that comes back leaves Removed.
func testRemovedChanged(t *testing.T, s store.Store) {
	c := corpus()
	mustPut(t, s, c...)
	removed, changed, both := c[0], c[4], c[1]

	gone := *removed
	gone.RemovedAt = time.Date(2025, 5, 1, 9, 30, 0, 0, time.UTC)
	checkChanges(t, mustPut(t, s, &gone), store.Unchanged)

	edited := *changed
	edited.Text = changed.Text + " Correction: one word was wrong."
	edited.ContentHash = store.HashText(edited.Text)
	checkChanges(t, mustPut(t, s, &edited), store.Updated)

	bothV2 := *both
	bothV2.Text = both.Text + "\n\n更正。"
	bothV2.ContentHash = store.HashText(bothV2.Text)
	checkChanges(t, mustPut(t, s, &bothV2), store.Updated)
	bothGone := bothV2
	bothGone.RemovedAt = time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC)
	checkChanges(t, mustPut(t, s, &bothGone), store.Unchanged)

	for _, tc := range []struct {
		name string
		q    store.Query
		want []*store.Article
	}{
		{"removed", store.Query{Removed: true}, []*store.Article{removed, both}},
		{"changed", store.Query{Changed: true}, []*store.Article{changed, both}},
		{"removed and changed", store.Query{Removed: true, Changed: true}, []*store.Article{both}},
		{"removed with site", store.Query{Removed: true, Site: removed.Site}, []*store.Article{removed, both}},
		{"removed with another site", store.Query{Removed: true, Site: changed.Site}, nil},
		{"changed with text", store.Query{Changed: true, Text: "Correction"}, []*store.Article{changed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Limit = 20
			checkIDs(t, mustSearch(t, s, tc.q), false, tc.want...)
			got := scanAll(t, s, tc.q)
			if len(got) != len(tc.want) {
				t.Errorf("Scan found %d articles, want %d", len(got), len(tc.want))
			}
			for _, a := range got {
				if tc.q.Removed && a.RemovedAt.IsZero() {
					t.Errorf("Scan(Removed) returned %s without removed_at", a.ID)
				}
				if tc.q.Changed && a.Version < 2 {
					t.Errorf("Scan(Changed) returned %s at version %d", a.ID, a.Version)
				}
			}
		})
	}

	// The page comes back: the article is no longer removed.
	back := gone
	back.RemovedAt = time.Time{}
	checkChanges(t, mustPut(t, s, &back), store.Unchanged)
	checkIDs(t, mustSearch(t, s, store.Query{Removed: true}), false, both)
}
