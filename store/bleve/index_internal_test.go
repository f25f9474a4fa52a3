package bleve

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	blevesearch "github.com/blevesearch/bleve/v2"
	bolt "go.etcd.io/bbolt"

	"newsarc/store"
	"newsarc/store/storetest"
)

// TestCleanCloseKeepsIndexInStep checks that a closed archive's index
// passes Open's check, so reopening does not rebuild it.
func TestCleanCloseKeepsIndexInStep(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, n := range []int{0, 25} { // empty, then with articles
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			if _, err := s.Put(ctx, storetest.Articles(n)...); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}

		db, err := bolt.Open(filepath.Join(dir, dbFile), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		var gen uint64
		var count int
		err = db.View(func(tx *bolt.Tx) error {
			gen = decodeGen(tx.Bucket(bucketMeta).Get(metaGen))
			count = tx.Bucket(bucketArticles).Stats().KeyN
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		index, err := blevesearch.Open(filepath.Join(dir, indexDir))
		if err != nil {
			t.Fatal(err)
		}
		if !sameLayout(index) || !inStep(index, gen, count) {
			t.Errorf("after a clean close with %d articles (gen %d), the index is not in step", count, gen)
		}
		if err := index.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOldLayoutRebuilt checks that an index built with an older layout is
// rebuilt from the records once at Open, says so in the notes, and then
// searches with facets; the next Open keeps it.
func TestOldLayoutRebuilt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	arts := storetest.Articles(30)
	if _, err := s.Put(ctx, arts...); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	index, err := blevesearch.Open(filepath.Join(dir, indexDir))
	if err != nil {
		t.Fatal(err)
	}
	if err := index.SetInternal(internalMapping, []byte("newsarc-4")); err != nil {
		t.Fatal(err)
	}
	if err := index.Close(); err != nil {
		t.Fatal(err)
	}

	for round := range 2 {
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		notes := strings.Join(s.Notes(), "\n")
		if rebuilt := strings.Contains(notes, "another index layout"); rebuilt != (round == 0) {
			t.Errorf("open %d: notes %q; want a rebuild for the old layout only at the first", round, notes)
		}
		res, err := s.Search(ctx, store.Query{Facets: []string{store.FacetSite}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range res.Facets[store.FacetSite] {
			n += c.Count
		}
		if res.Total != len(arts) || n != len(arts) {
			t.Errorf("open %d: total %d, site facet counts %d, want %d", round, res.Total, n, len(arts))
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
