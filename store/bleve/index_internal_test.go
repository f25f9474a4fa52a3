package bleve

import (
	"context"
	"path/filepath"
	"testing"

	blevesearch "github.com/blevesearch/bleve/v2"
	bolt "go.etcd.io/bbolt"

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
		if !inStep(index, gen, count) {
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
