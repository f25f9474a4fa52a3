package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"newsarc/store"
)

// datasetArchive returns a data directory holding four articles: one
// removed from its site, one changed, and two reprints of one story.
func datasetArchive(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	cfg := DefaultConfig()
	cfg.Data = data
	st, err := openStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mk := func(id, title, text, cluster string, day int) *store.Article {
		return &store.Article{ID: id, URL: "https://news.example/" + id, CanonicalURL: "https://news.example/" + id,
			Site: "news", Title: title, Language: "en", Text: text, ContentHash: store.HashText(text), Cluster: cluster,
			Published: time.Date(2025, 3, day, 8, 0, 0, 0, time.FixedZone("", 8*3600)), FetchedAt: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}
	}
	gone := mk("gone", "Gone story", "This story was taken down.", "", 1)
	edited := mk("edited", "Edited story", "The minister said yes.", "", 2)
	a := mk("story", "Reprinted story", "A story printed twice.", "story", 3)
	b := mk("copy", "Reprinted story copy", "A story printed twice.", "story", 4)
	ctx := context.Background()
	if _, err := st.Put(ctx, gone, edited, a, b); err != nil {
		t.Fatal(err)
	}
	gone.RemovedAt = time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	edited2 := *edited
	edited2.Text = "The minister said no."
	edited2.ContentHash = store.HashText(edited2.Text)
	if _, err := st.Put(ctx, gone, &edited2); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDatasetFlags(t *testing.T) {
	data := datasetArchive(t)

	t.Run("export removed", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "removed.csv")
		newsarc(t, "export", "--data", data, "--format", "csv", "--removed", "--out", out)
		for _, p := range []string{out, out + ".manifest.json"} {
			fi, err := os.Stat(p)
			if err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("%s: mode %v, %v; want 0644", filepath.Base(p), fi.Mode(), err)
			}
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := slices.Index(rows[0], "removed_at")
		if len(rows) != 2 || col < 0 || rows[1][0] != "gone" || rows[1][col] != "2025-05-01T00:00:00Z" {
			t.Errorf("export --removed = %q", rows)
		}
	})

	t.Run("export changed", func(t *testing.T) {
		recs := exportJSONLArgs(t, "export", "--data", data, "--format", "jsonl", "--changed")
		if len(recs) != 1 || recs[0].ID != "edited" || recs[0].Version != 2 {
			t.Errorf("export --changed = %+v", recs)
		}
	})

	t.Run("export collapse", func(t *testing.T) {
		recs := exportJSONLArgs(t, "export", "--data", data, "--format", "jsonl", "--collapse")
		var ids []string
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		if !slices.Equal(ids, []string{"copy", "edited", "gone"}) {
			t.Errorf("export --collapse = %v, want copy, edited, gone", ids)
		}
	})

	t.Run("search removed", func(t *testing.T) {
		out := newsarc(t, "search", "--data", data, "--removed")
		if !strings.Contains(out, "1 result") || !strings.Contains(out, "[removed 2025-05-01] Gone story") {
			t.Errorf("search --removed:\n%s", out)
		}
	})

	t.Run("search changed", func(t *testing.T) {
		out := newsarc(t, "search", "--data", data, "--changed")
		if !strings.Contains(out, "1 result") || !strings.Contains(out, "Edited story") || !strings.Contains(out, "2 versions") {
			t.Errorf("search --changed:\n%s", out)
		}
	})

	t.Run("search collapse", func(t *testing.T) {
		out := newsarc(t, "search", "--data", data, "story", "--collapse")
		if strings.Count(out, "Reprinted story") != 1 {
			t.Errorf("search --collapse shows the reprint group more than once:\n%s", out)
		}
	})
}
