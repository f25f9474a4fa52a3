package bleve_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/storetest"
)

// fillArchive stores n storetest articles and the article of marker (a
// word found in no other), and closes the archive.
func fillArchive(t testing.TB, dir string, n int, marker string) *store.Article {
	t.Helper()
	s := mustOpen(t, dir)
	mustPut(t, s, storetest.Articles(n)...)
	a := article("https://xinhua.example/marked", "正文 "+marker+" 数据主权 end of text")
	mustPut(t, s, a)
	mustClose(t, s)
	return a
}

// replaceAll replaces every occurrence of old in the file at path (bbolt
// may keep older copies of a page) and fails when there is none.
func replaceAll(t testing.TB, path, old, new string) {
	t.Helper()
	storetest.EditFile(t, path, func(b []byte) []byte {
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("%s does not contain %q", path, old)
		}
		return bytes.ReplaceAll(b, []byte(old), []byte(new))
	})
}

func scanAll(t testing.TB, s *bleve.Store) []*store.Article {
	t.Helper()
	var all []*store.Article
	if err := s.Scan(t.Context(), store.Query{}, func(a *store.Article) error {
		all = append(all, a)
		return nil
	}); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return all
}

// TestOpenTruncatedDatabase cuts articles.db short, which made bbolt kill
// the process with SIGBUS: Open reports the damage and changes nothing.
func TestOpenTruncatedDatabase(t *testing.T) {
	dir := t.TempDir()
	fillArchive(t, dir, 200, "截断")
	used, pageSize := dbUsed(t, filepath.Join(dir, "articles.db"))
	index := dirListing(t, filepath.Join(dir, "index.bleve"))
	for _, size := range []int64{0, 100, pageSize + 100, 4 * pageSize, used / 2, used - pageSize} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			cut := filepath.Join(t.TempDir(), "archive")
			if err := os.CopyFS(cut, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(filepath.Join(cut, "articles.db"), size); err != nil {
				t.Fatal(err)
			}
			s, err := bleve.Open(t.Context(), cut)
			if err == nil {
				s.Close()
				t.Fatalf("Open of an archive whose articles.db is cut to %d bytes succeeded", size)
			}
			if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), "record store is damaged") {
				t.Errorf("err = %v, want ErrCorrupt saying the record store is damaged", err)
			}
			if got := dirListing(t, filepath.Join(cut, "index.bleve")); !slices.Equal(got, index) {
				t.Errorf("the index changed: %v, was %v", got, index)
			}
			if fi, _ := os.Stat(filepath.Join(cut, "articles.db")); fi.Size() != size {
				t.Errorf("articles.db changed size: %d, want %d", fi.Size(), size)
			}
		})
	}
}

// dbUsed returns the bytes of the database file at path that bbolt uses
// (its pages up to the high-water mark) and its page size.
func dbUsed(t testing.TB, path string) (used, pageSize int64) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		used, pageSize = tx.Size(), int64(db.Info().PageSize)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return used, pageSize
}

func dirListing(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if fi, err := d.Info(); err == nil && !d.IsDir() {
			out = append(out, fmt.Sprintf("%s %d", p[len(dir):], fi.Size()))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOpenDamagedIndex damages the index in the ways that panicked in
// bleve.Open or crashed the process: Open rebuilds it from the records
// and says so.
func TestOpenDamagedIndex(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, index string)
	}{
		{"segment byte flipped near its end", func(t *testing.T, index string) {
			for _, seg := range segments(t, index) {
				storetest.EditFile(t, seg, func(b []byte) []byte { b[len(b)-20] ^= 0xff; return b })
			}
		}},
		{"segment cut short", func(t *testing.T, index string) {
			for _, seg := range segments(t, index) {
				storetest.EditFile(t, seg, func(b []byte) []byte { return b[:len(b)/2] })
			}
		}},
		{"root.bolt cut short", func(t *testing.T, index string) {
			root := filepath.Join(index, "store", "root.bolt")
			fi, err := os.Stat(root)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(root, fi.Size()/4); err != nil {
				t.Fatal(err)
			}
		}},
		{"index_meta.json garbled", func(t *testing.T, index string) {
			storetest.EditFile(t, filepath.Join(index, "index_meta.json"), func(b []byte) []byte { return b[:len(b)/2] })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			a := fillArchive(t, dir, 40, "损坏")
			tt.damage(t, filepath.Join(dir, "index.bleve"))

			var logs bytes.Buffer
			s, err := bleve.OpenWith(t.Context(), dir, bleve.Options{Logger: slogTo(&logs)})
			if err != nil {
				t.Fatalf("Open of an archive with a damaged index: %v", err)
			}
			defer s.Close()
			notes := strings.Join(s.Notes(), "\n")
			if !strings.Contains(notes, "index rebuilt") || !strings.Contains(logs.String(), "level=WARN") {
				t.Errorf("the rebuild is not reported: notes %q, log %q", notes, logs.String())
			}
			checkSearch(t, s, "损坏", 1)
			if got := len(scanAll(t, s)); got != 41 {
				t.Errorf("Scan after the rebuild: %d articles, want 41", got)
			}
			if got, err := s.Get(t.Context(), a.ID); err != nil || got.Damage != "" {
				t.Errorf("Get after the rebuild: %+v, %v", got, err)
			}
			if left := leftovers(t, dir); len(left) > 0 {
				t.Errorf("the rebuild left %v", left)
			}
		})
	}
}

func segments(t testing.TB, index string) []string {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(index, "store", "*.zap"))
	if err != nil || len(segs) == 0 {
		t.Fatalf("no segment files in %s (%v)", index, err)
	}
	return segs
}

// leftovers lists what a rebuild may leave beside the index.
func leftovers(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "index.bleve.*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDamagedRecord flips bytes of stored records: a record whose text no
// longer matches its content hash is served marked damaged, never as if
// sound, and one that no longer decodes is reported by ID.
func TestDamagedRecord(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	a := fillArchive(t, dir, 20, "marker-text")
	b := article("https://xinhua.example/broken", "正文 record-to-break")
	s := mustOpen(t, dir)
	mustPut(t, s, b)
	mustClose(t, s)
	db := filepath.Join(dir, "articles.db")
	replaceAll(t, db, "marker-text", "marker-tExt")
	replaceAll(t, db, `record-to-break"`, `record-to-brea\"`) // the closing quote escaped: no longer JSON

	s = mustOpen(t, dir)
	got, err := s.Get(ctx, a.ID)
	if err != nil {
		t.Fatalf("Get of an altered record: %v", err)
	}
	if !strings.HasPrefix(got.Damage, store.DamageHash) || !strings.Contains(got.Text, "marker-tExt") {
		t.Errorf("Get of an altered record: Damage %q, text %q", got.Damage, got.Text)
	}
	if _, err := s.Get(ctx, b.ID); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Get of an undecodable record: %v, want ErrCorrupt", err)
	}
	damaged := map[string]string{}
	for _, x := range scanAll(t, s) {
		if x.Damage != "" {
			damaged[x.ID] = x.Damage
		}
	}
	if len(damaged) != 2 || !strings.HasPrefix(damaged[a.ID], store.DamageHash) || !strings.HasPrefix(damaged[b.ID], store.DamageUnreadable) {
		t.Errorf("Scan marks %v damaged; want %s (hash) and %s (unreadable)", damaged, a.ID, b.ID)
	}
	res, err := s.Search(ctx, store.Query{Text: "marker"})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Article.Damage == "" {
		t.Errorf("Search does not mark the altered record: %+v, %v", res, err)
	}
	if _, err := s.Put(ctx, got); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Put of a record read damaged: %v, want ErrCorrupt", err)
	}

	// A fresh fetch of the same text heals the record.
	mustPut(t, s, article(a.URL, a.Text))
	if got, err := s.Get(ctx, a.ID); err != nil || got.Damage != "" || got.Text != a.Text {
		t.Errorf("after a fresh Put: %+v, %v", got, err)
	}

	// A rebuild does not stop at the undecodable record.
	mustClose(t, s)
	if err := os.RemoveAll(filepath.Join(dir, "index.bleve")); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir)
	if n := len(scanAll(t, s)); n != 22 {
		t.Errorf("after a rebuild Scan visits %d records, want 22", n)
	}
}

// TestDamagedVersionAndRaw checks earlier versions and raw bodies.
func TestDamagedVersionAndRaw(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := mustOpen(t, dir)
	v1 := article("https://xinhua.example/v", "first-version text")
	v1.Raw = bytes.Repeat([]byte("<p>raw body</p>"), 50)
	mustPut(t, s, v1)
	mustPut(t, s, article(v1.URL, "second-version text"))
	mustClose(t, s)
	replaceAll(t, filepath.Join(dir, "articles.db"), "first-version", "first-versiom")

	s = mustOpen(t, dir)
	vs, err := s.Versions(ctx, v1.ID)
	if err != nil || len(vs) != 1 || !strings.HasPrefix(vs[0].Damage, store.DamageHash) {
		t.Errorf("Versions of an altered version: %+v, %v", vs, err)
	}
	if got, err := s.Get(ctx, v1.ID); err != nil || got.Damage != "" {
		t.Errorf("the current version is sound: %+v, %v", got, err)
	}
}

// slogTo returns a logger writing text lines to w.
func slogTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}
