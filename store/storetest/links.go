package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"newsarc/store"
)

// linkReader returns s as a store.LinkReader, failing the test when it is
// not one: every backend answers Link from link records.
func linkReader(t *testing.T, s store.Store) store.LinkReader {
	t.Helper()
	lr, ok := s.(store.LinkReader)
	if !ok {
		t.Fatalf("%T is not a store.LinkReader", s)
	}
	return lr
}

// nearIDs returns the IDs NearLinks finds, failing the test on error.
func nearIDs(t *testing.T, lr store.LinkReader, h uint64, d int) []string {
	t.Helper()
	recs, err := lr.NearLinks(t.Context(), h, d)
	if err != nil {
		t.Fatalf("NearLinks(%016x, %d): %v", h, d, err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
		if !r.HasSimHash || store.Hamming(h, r.SimHash) > d {
			t.Errorf("NearLinks(%016x, %d) returned %s with simhash %016x (%t)", h, d, r.ID, r.SimHash, r.HasSimHash)
		}
	}
	return ids
}

func idsOf(arts ...*store.Article) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.ID
	}
	return out
}

// testNearLinks pins NearLinks and LinkRecord: the same articles as
// Similar, nearest first then by ID, with the fields Link reads; an
// updated article is found by its new SimHash only, and its new group.
func testNearLinks(t *testing.T, s store.Store) {
	ctx := t.Context()
	lr := linkReader(t, s)
	exact := simArticle("a", "exact", h0)
	one := simArticle("b", "one", flip(h0, 1))
	one.Cluster, one.DuplicateOf = exact.ID, exact.ID
	three := simArticle("c", "three", flip(h0, 0, 20, 40))
	three.Published = time.Time{}
	four := simArticle("d", "four", flip(h0, 5, 18, 30, 45))
	five := simArticle("e", "five", flip(h0, 6, 19, 31, 46, 60))
	twin := simArticle("f", "twin", flip(h0, 1)) // as near as one: ID order
	none := simArticle("g", "none", h0)
	none.SimHash = ""
	mustPut(t, s, exact, one, three, four, five, twin, none)

	near1 := []string{one.ID, twin.ID}
	slices.Sort(near1)
	cases := []struct {
		h    uint64
		d    int
		want []string
	}{
		{h0, 4, append(append([]string{exact.ID}, near1...), three.ID, four.ID)},
		{h0, 3, append(append([]string{exact.ID}, near1...), three.ID)},
		{h0, 0, []string{exact.ID}},
		{flip(h0, 7, 22, 33, 48, 58), 4, nil},
		{h0, 64, append(append([]string{exact.ID}, near1...), three.ID, four.ID)},
	}
	for _, c := range cases {
		if got := nearIDs(t, lr, c.h, c.d); !slices.Equal(got, c.want) {
			t.Errorf("NearLinks(%016x, %d) = %v, want %v", c.h, c.d, got, c.want)
		}
	}

	recs, err := lr.NearLinks(ctx, flip(h0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.ID == one.ID {
			want := store.LinkOf(one)
			if r.Cluster != want.Cluster || r.DuplicateOf != want.DuplicateOf || !r.Published.Equal(want.Published) || r.SimHash != want.SimHash {
				t.Errorf("NearLinks record of one = %+v, want %+v", r, want)
			}
		}
	}
	for _, a := range []*store.Article{one, three, none} {
		got, err := lr.LinkRecord(ctx, a.ID)
		want := store.LinkOf(a)
		if err != nil || got.ID != want.ID || got.HasSimHash != want.HasSimHash || got.SimHash != want.SimHash ||
			got.Cluster != want.Cluster || got.DuplicateOf != want.DuplicateOf || !got.Published.Equal(want.Published) {
			t.Errorf("LinkRecord(%s) = %+v, %v; want %+v", a.Title, got, err, want)
		}
	}
	if _, err := lr.LinkRecord(ctx, store.IDFor("https://nowhere.example/")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LinkRecord of an unknown ID: %v, want ErrNotFound", err)
	}

	// An update moves the article to its new SimHash and group.
	moved := *four
	moved.Text += " 更新"
	moved.ContentHash = store.HashText(moved.Text)
	moved.SimHash = store.FormatSimHash(^uint64(h0))
	moved.Cluster = exact.ID
	checkChanges(t, mustPut(t, s, &moved), store.Updated)
	if got := nearIDs(t, lr, h0, 4); slices.Contains(got, four.ID) {
		t.Errorf("NearLinks(h0, 4) after four moved away = %v, still has it", got)
	}
	if got := nearIDs(t, lr, ^uint64(h0), 0); !slices.Equal(got, []string{four.ID}) {
		t.Errorf("NearLinks(^h0, 0) after four moved there = %v, want it", got)
	}
	if got, err := lr.LinkRecord(ctx, four.ID); err != nil || got.Cluster != exact.ID {
		t.Errorf("LinkRecord(four) after the update = %+v, %v; want cluster %s", got, err, exact.ID)
	}
	// Losing its SimHash takes it out.
	bare := moved
	bare.SimHash = ""
	mustPut(t, s, &bare)
	if got := nearIDs(t, lr, ^uint64(h0), 4); len(got) != 0 {
		t.Errorf("NearLinks(^h0, 4) after four lost its SimHash = %v, want none", got)
	}
}

// testLinkRecall puts more articles sharing one SimHash band with a new
// article than the 1000 candidates Similar examines, all of them far from
// it, and one true reprint whose ID sorts after all of them: Link must
// still find the reprint.
func testLinkRecall(t *testing.T, s store.Store) {
	ctx := t.Context()
	const crowd = 1500
	base := uint64(0x5a5a5a5a5a5a5a5a)
	var arts []*store.Article
	for i := range crowd {
		// Band 0 (bits 0-12) as base's; every other band far from it.
		h := base&(1<<13-1) | (^base)&^(1<<13-1) ^ uint64(i)<<20
		a := simArticle("crowd", fmt.Sprintf("c%04d", i), h)
		a.ID = fmt.Sprintf("%024x", i) // before the original in ID order
		arts = append(arts, a)
	}
	orig := simArticle("orig", "original", flip(base, 13, 30, 50)) // 3 bits: bands 1, 2 and 3 differ
	orig.ID = strings.Repeat("f", 24)
	arts = append(arts, orig)
	for i := 0; i < len(arts); i += 500 {
		mustPut(t, s, arts[i:min(i+500, len(arts))]...)
	}
	a := simArticle("new", "reprint", base)
	if err := store.Link(ctx, s, a, store.MaxSimilarDistance); err != nil {
		t.Fatal(err)
	}
	if a.DuplicateOf != orig.ID || a.Cluster != orig.ID {
		t.Errorf("Link among %d articles sharing a band: duplicate_of %q cluster %q, want the original %s", crowd, a.DuplicateOf, a.Cluster, orig.ID)
	}
	if got := nearIDs(t, linkReader(t, s), base, store.MaxSimilarDistance); !slices.Equal(got, []string{orig.ID}) {
		t.Errorf("NearLinks among %d articles sharing a band = %v, want the original only", crowd, got)
	}
}
