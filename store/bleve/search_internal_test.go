package bleve

import (
	"context"
	"errors"
	"reflect"
	"testing"

	index "github.com/blevesearch/bleve_index_api"

	"newsarc/store"
	"newsarc/store/storetest"
)

// TestConformanceSmallPages runs the suite with Scan pages of seven hits,
// so that page boundaries fall between articles published at the same
// time and between undated ones.
func TestConformanceSmallPages(t *testing.T) {
	defer func(n int) { scanPage = n }(scanPage)
	scanPage = 7
	storetest.Run(t, func(t testing.TB) store.Store {
		s, err := Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

// TestColumnsAsDocValues checks that searches reading sort keys and facets
// from the segments' columns find what reading each hit's doc values
// finds, over several segments, deleted documents (updated articles)
// included.
func TestColumnsAsDocValues(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	arts := storetest.Articles(600)
	for i := 0; i < len(arts); i += 50 {
		if _, err := s.Put(ctx, arts[i:i+50]...); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range arts[:40] { // a new text: the old document is deleted
		a.Text += " 更新"
		a.ContentHash = store.HashText(a.Text)
		a.Tags = append(a.Tags, "更新")
	}
	if _, err := s.Put(ctx, arts[:40]...); err != nil {
		t.Fatal(err)
	}
	if n := len(s.columns(mustReader(t, s)).segs); n == 0 {
		t.Fatal("no segment columns")
	}
	for _, q := range []store.Query{
		{Facets: store.FacetNames()},
		{Text: "经济", Facets: store.FacetNames(), Offset: 7},
		{Text: "market", Sort: store.ByDate, Limit: 30, Facets: []string{store.FacetTag, store.FacetDate}},
		{Site: "xinhua", Offset: 100, Limit: 5},
	} {
		useColumns = true
		got, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		useColumns = false
		want, err := s.Search(ctx, q)
		useColumns = true
		if err != nil {
			t.Fatal(err)
		}
		got.Took, want.Took = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: with columns %d hits %v, without %d hits %v", q, got.Total, got.Facets, want.Total, want.Facets)
		}
	}
}

func mustReader(t *testing.T, s *Store) index.IndexReader {
	t.Helper()
	adv, err := s.index.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
