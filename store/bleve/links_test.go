package bleve

import (
	"cmp"
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"newsarc/store"
	"newsarc/store/storetest"
)

// linkState is what the near-duplicate lookups of an archive answer: for
// each article with a SimHash, the IDs within MaxSimilarDistance bits and
// the article's link record.
func linkState(t *testing.T, s *Store, arts []*store.Article) map[string]string {
	t.Helper()
	ctx := t.Context()
	out := map[string]string{}
	for _, a := range arts {
		r, err := s.LinkRecord(ctx, a.ID)
		if err != nil {
			t.Fatalf("LinkRecord(%s): %v", a.ID, err)
		}
		var line strings.Builder
		line.WriteString(r.Cluster + " " + r.DuplicateOf + " " + r.Published.UTC().String())
		if r.HasSimHash {
			near, err := s.NearLinks(ctx, r.SimHash, store.MaxSimilarDistance)
			if err != nil {
				t.Fatalf("NearLinks: %v", err)
			}
			for _, n := range near {
				line.WriteString(" " + n.ID)
			}
		}
		out[a.ID] = line.String()
	}
	return out
}

// editDB changes the closed archive's database with fn.
func editDB(t *testing.T, dir string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, dbFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// linkProblems returns the near-duplicate table problems Check finds in
// the closed archive in dir.
func linkProblems(t *testing.T, dir string) []Problem {
	t.Helper()
	r, err := Check(t.Context(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []Problem
	for _, p := range r.Problems {
		if p.Part != PartLinks {
			t.Errorf("Check found another problem: %s", p)
			continue
		}
		out = append(out, p)
	}
	return out
}

// TestLinkTableReopenAndRepair checks that the near-duplicate table
// answers the same after a reopen, and after Open rebuilt it because it
// was missing (an archive from before the table), damaged or behind the
// records; that Check finds each fault; and that RebuildLinks repairs an
// entry that decodes but is wrong.
func TestLinkTableReopenAndRepair(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	arts := storetest.Articles(300)
	// Reprints: near copies of a few articles, linked as a crawl links them.
	for i := range 20 {
		h, _ := store.ParseSimHash(arts[i*7].SimHash)
		r := *arts[i*7]
		r.ID = store.IDFor(r.URL + "#reprint")
		r.SimHash = store.FormatSimHash(h ^ 1<<uint(i) ^ 1<<uint(40+i))
		r.WordCount = store.MinLinkWords
		arts = append(arts, &r)
	}
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, arts[:300]...); err != nil {
		t.Fatal(err)
	}
	for _, a := range arts[300:] {
		if err := store.Link(ctx, s, a, store.MaxSimilarDistance); err != nil {
			t.Fatal(err)
		}
		if a.DuplicateOf == "" {
			t.Errorf("reprint %s not linked", a.ID)
		}
		if _, err := s.Put(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	want := linkState(t, s, arts)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if p := linkProblems(t, dir); len(p) != 0 {
		t.Errorf("Check of a sound archive: %v", p)
	}

	reopen := func(why string, opts Options) {
		t.Helper()
		s, err := OpenWith(ctx, dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		rebuilt := slices.ContainsFunc(s.Notes(), func(n string) bool { return strings.Contains(n, "near-duplicate table built") })
		if rebuilt != (why != "") {
			t.Errorf("%s: notes %q", cmp.Or(why, "reopen"), s.Notes())
		}
		if why != "" && !slices.ContainsFunc(s.Notes(), func(n string) bool { return strings.Contains(n, why) }) {
			t.Errorf("%s: notes %q do not say why", why, s.Notes())
		}
		if got := linkState(t, s, arts); !maps.Equal(got, want) {
			t.Errorf("%s: the lookups answer differently", cmp.Or(why, "reopen"))
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if p := linkProblems(t, dir); len(p) != 0 {
			t.Errorf("%s: Check after: %v", cmp.Or(why, "reopen"), p)
		}
	}
	reopen("", Options{})

	editDB(t, dir, func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketLinks) })
	if p := linkProblems(t, dir); len(p) != 1 || !strings.Contains(p[0].Detail, "missing") {
		t.Errorf("Check without the table: %v", p)
	}
	reopen("missing", Options{})

	victim := []byte(arts[5].ID)
	editDB(t, dir, func(tx *bolt.Tx) error { return tx.Bucket(bucketLinks).Put(victim, []byte{9, 9, 9}) })
	if p := linkProblems(t, dir); len(p) != 1 || p[0].ID != arts[5].ID {
		t.Errorf("Check with a damaged entry: %v", p)
	}
	reopen("damaged", Options{})

	editDB(t, dir, func(tx *bolt.Tx) error { return tx.Bucket(bucketLinks).Delete(victim) })
	reopen("entries for", Options{})

	editDB(t, dir, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(metaLinksGen, encodeGen(decodeGen(tx.Bucket(bucketMeta).Get(metaGen))-1))
	})
	if p := linkProblems(t, dir); len(p) != 1 || !strings.Contains(p[0].Detail, "missed writes") {
		t.Errorf("Check with the table behind: %v", p)
	}
	reopen("behind the records", Options{})

	// An entry that decodes but says another group: Open does not see it,
	// Check does, and RebuildLinks repairs it.
	editDB(t, dir, func(tx *bolt.Tx) error {
		r, err := decodeLink(string(victim), tx.Bucket(bucketLinks).Get(victim))
		if err != nil {
			return err
		}
		r.Cluster = "elsewhere"
		return tx.Bucket(bucketLinks).Put(victim, encodeLink(r))
	})
	if p := linkProblems(t, dir); len(p) != 1 || p[0].ID != arts[5].ID || !strings.Contains(p[0].Detail, "elsewhere") {
		t.Errorf("Check with a wrong entry: %v", p)
	}
	reopen("rebuild asked for", Options{RebuildLinks: true})
}

// TestLinkEncoding checks that link records survive the table's encoding.
func TestLinkEncoding(t *testing.T) {
	for _, a := range storetest.Articles(50) {
		a.Cluster, a.DuplicateOf = a.ID, "其他"
		want := store.LinkOf(a)
		got, err := decodeLink(a.ID, encodeLink(want))
		if err != nil || !sameLink(got, want) {
			t.Errorf("decodeLink(encodeLink(%+v)) = %+v, %v", want, got, err)
		}
	}
	for _, bad := range [][]byte{nil, {1}, make([]byte, 22), append(encodeLink(store.LinkRecord{Cluster: "x"}), 0)} {
		if _, err := decodeLink("x", bad); err == nil {
			t.Errorf("decodeLink(%x) accepted", bad)
		}
	}
}
