package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"newsarc/store"
	"newsarc/store/bleve"
)

// damagedArchive returns a bleve archive of three articles, two of them
// damaged on disk as a flipped byte would: the text of "altered" no longer
// matches its content_hash, and the record of "unreadable" no longer
// decodes.
func damagedArchive(t testing.TB) (st store.Store, sound, altered, unreadable *store.Article) {
	t.Helper()
	dir := t.TempDir()
	mk := func(id, text string) *store.Article {
		return &store.Article{ID: id, URL: "https://news.example/" + id, CanonicalURL: "https://news.example/" + id,
			Site: "s", Title: "Title of " + id, Language: "en", Text: text, ContentHash: store.HashText(text)}
	}
	sound, altered, unreadable = mk("sound", "Sound text."), mk("altered", "marker-text of the altered one."),
		mk("unreadable", "The record-to-break")
	s, err := bleve.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(context.Background(), sound, altered, unreadable); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "articles.db")
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]string{{"marker-text", "marker-tExt"}, {`record-to-break"`, `record-to-brea\"`}} {
		if !bytes.Contains(b, []byte(r[0])) {
			t.Fatalf("%q not found in %s", r[0], db)
		}
		b = bytes.ReplaceAll(b, []byte(r[0]), []byte(r[1]))
	}
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = bleve.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, sound, altered, unreadable
}

// TestRunDamaged exports an archive with damaged records: by default they
// are written saying what is wrong, with SkipDamaged they are left out, and
// the manifest counts and names them either way.
func TestRunDamaged(t *testing.T) {
	st, sound, altered, unreadable := damagedArchive(t)
	checkManifest := func(t *testing.T, m Manifest, count, skipped int) {
		t.Helper()
		slices.Sort(m.DamagedIDs)
		if m.Count != count || m.Damaged != 2 || m.Skipped != skipped ||
			!slices.Equal(m.DamagedIDs, []string{altered.ID, unreadable.ID}) {
			t.Errorf("manifest count %d, damaged %d %v, skipped %d; want %d, 2 [altered unreadable], %d",
				m.Count, m.Damaged, m.DamagedIDs, m.Skipped, count, skipped)
		}
	}
	checkDamage := func(t *testing.T, id, damage, text string) {
		t.Helper()
		switch id {
		case sound.ID:
			if damage != "" || text != sound.Text {
				t.Errorf("sound record: damage %q, text %q", damage, text)
			}
		case altered.ID:
			if !strings.HasPrefix(damage, store.DamageHash) || !strings.Contains(text, "marker-tExt") {
				t.Errorf("altered record: damage %q, text %q; want %s and the altered text", damage, text, store.DamageHash)
			}
		case unreadable.ID:
			if !strings.HasPrefix(damage, store.DamageUnreadable) || text != "" {
				t.Errorf("unreadable record: damage %q, text %q; want %s and no text", damage, text, store.DamageUnreadable)
			}
		default:
			t.Errorf("unknown record %q", id)
		}
	}

	t.Run("jsonl", func(t *testing.T) {
		out, m := runExport(t, st, store.Query{}, JSONL, Options{})
		checkManifest(t, m, 3, 0)
		dec := json.NewDecoder(bytes.NewReader(out))
		n := 0
		for dec.More() {
			var r Record
			if err := dec.Decode(&r); err != nil {
				t.Fatal(err)
			}
			n++
			checkDamage(t, r.ID, r.Damage, r.Text)
		}
		if n != 3 {
			t.Errorf("%d records, want 3", n)
		}
	})
	t.Run("csv", func(t *testing.T) {
		out, m := runExport(t, st, store.Query{}, CSV, Options{})
		checkManifest(t, m, 3, 0)
		rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 || rows[0][len(rows[0])-1] != "damage" {
			t.Fatalf("%d rows, header %q", len(rows), rows[0])
		}
		for _, row := range rows[1:] {
			checkDamage(t, row[0], row[slices.Index(CSVColumns, "damage")], row[slices.Index(CSVColumns, "text")])
		}
	})
	t.Run("parquet", func(t *testing.T) {
		out, m := runExport(t, st, store.Query{}, Parquet, Options{})
		checkManifest(t, m, 3, 0)
		type row struct {
			ID     string  `parquet:"id"`
			Text   string  `parquet:"text"`
			Damage *string `parquet:"damage,optional"`
		}
		rows, err := parquet.Read[row](bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("%d rows, want 3", len(rows))
		}
		for _, r := range rows {
			d := ""
			if r.Damage != nil {
				d = *r.Damage
			}
			checkDamage(t, r.ID, d, r.Text)
		}
	})
	t.Run("skip", func(t *testing.T) {
		out, m := runExport(t, st, store.Query{}, JSONL, Options{SkipDamaged: true})
		checkManifest(t, m, 1, 2)
		var r Record
		if err := json.Unmarshal(out, &r); err != nil || r.ID != sound.ID || bytes.Count(out, []byte("\n")) != 1 {
			t.Errorf("skipping the damaged records wrote %s", out)
		}
	})
	t.Run("manifest file", func(t *testing.T) {
		_, m := runExport(t, st, store.Query{}, CSV, Options{SkipDamaged: true})
		file := filepath.Join(t.TempDir(), "out.csv")
		if err := WriteManifest(file, m); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(ManifestPath(file))
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if raw["damaged"] != 2.0 || raw["skipped"] != 2.0 || len(raw["damaged_ids"].([]any)) != 2 {
			t.Errorf("manifest file: %s", b)
		}
	})
}

func TestRunSoundManifest(t *testing.T) {
	out, m := runExport(t, testStore(t), store.Query{}, JSONL, Options{})
	if m.Damaged != 0 || m.Skipped != 0 || m.DamagedIDs != nil || bytes.Contains(out, []byte(`"damage":"d`)) {
		t.Errorf("a sound archive's export speaks of damage: manifest %+v", m)
	}
}
