package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsarc/export"
	"newsarc/store"
	"newsarc/store/bleve"
)

// damagedArchive returns the directory of a bleve archive holding sound,
// an article whose text no longer matches its content_hash (altered), one
// whose record no longer decodes (unreadable), and an article of two
// versions whose first version's text was altered (older), each damaged on
// disk as a flipped byte would.
func damagedArchive(t testing.TB) (dir string, sound, altered, unreadable, older *store.Article) {
	t.Helper()
	dir = t.TempDir()
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	sound = newArticle("s", "en", "https://news.example/sound", "Sound", "Sound text.", day)
	altered = newArticle("s", "en", "https://news.example/altered", "Altered", "The marker-text of the altered one.", day)
	unreadable = newArticle("s", "en", "https://news.example/unreadable", "Unreadable", "The record-to-break", day)
	older = newArticle("s", "en", "https://news.example/versions", "Versions", "First old-version-marker text.", day)
	newer := *older
	newer.Text = "Second text."
	newer.ContentHash = store.HashText(newer.Text)
	newer.FetchedAt = newer.FetchedAt.Add(time.Hour)

	st, err := bleve.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := st.Put(ctx, sound, altered, unreadable, older); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, &newer); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "articles.db")
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]string{{"marker-text", "marker-tExt"}, {`record-to-break"`, `record-to-brea\"`},
		{"old-version-marker", "old-versiOn-marker"}} {
		if !bytes.Contains(b, []byte(r[0])) {
			t.Fatalf("%q not found in %s", r[0], db)
		}
		b = bytes.ReplaceAll(b, []byte(r[0]), []byte(r[1]))
	}
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, sound, altered, unreadable, older
}

// TestDamagedRecords checks that no answer serves a record the archive
// read damaged without saying so.
func TestDamagedRecords(t *testing.T) {
	dir, sound, altered, unreadable, older := damagedArchive(t)
	st, err := bleve.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var logs bytes.Buffer
	srv := newServer(t, st, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Export: func(ctx context.Context, req ExportRequest, w io.Writer) error {
			_, err := export.Run(ctx, st, req.Query, req.Format, w, export.Options{})
			return err
		}})
	wantDamage := map[string]string{sound.ID: "", altered.ID: store.DamageHash, unreadable.ID: store.DamageUnreadable,
		older.ID: ""}
	checkDamage := func(t *testing.T, what, id, damage string) {
		t.Helper()
		want, ok := wantDamage[id]
		if !ok {
			t.Errorf("%s: unknown article %q", what, id)
		} else if (want == "") != (damage == "") || !strings.HasPrefix(damage, want) {
			t.Errorf("%s %s: damage %q, want %q…", what, id, damage, want)
		}
	}

	t.Run("search", func(t *testing.T) {
		var res searchJSON
		getJSON(t, srv.URL, "/api/search?limit=100", http.StatusOK, &res)
		if len(res.Hits) != len(wantDamage) {
			t.Errorf("%d hits, want %d", len(res.Hits), len(wantDamage))
		}
		for _, h := range res.Hits {
			checkDamage(t, "hit", h.ID, h.Damage)
		}
	})
	t.Run("article", func(t *testing.T) {
		for _, a := range []*store.Article{sound, altered} {
			var res articleAnswer
			getJSON(t, srv.URL, "/api/articles/"+a.ID, http.StatusOK, &res)
			checkDamage(t, "article", res.Article.ID, res.Article.Damage)
			checkDamage(t, "current version", a.ID, res.Versions[len(res.Versions)-1].Damage)
		}
	})
	t.Run("unreadable article", func(t *testing.T) {
		var e apiError
		getJSON(t, srv.URL, "/api/articles/"+unreadable.ID, http.StatusInternalServerError, &e)
		if !strings.Contains(e.Error, "archive damaged") {
			t.Errorf("error %q does not say the archive is damaged", e.Error)
		}
		if !strings.Contains(logs.String(), "damaged archive") || !strings.Contains(logs.String(), unreadable.ID) {
			t.Errorf("not logged for the operator:\n%s", logs.String())
		}
	})
	t.Run("versions", func(t *testing.T) {
		var res articleAnswer
		getJSON(t, srv.URL, "/api/articles/"+older.ID, http.StatusOK, &res)
		if res.Article.Damage != "" || len(res.Versions) != 2 || !strings.HasPrefix(res.Versions[0].Damage, store.DamageHash) ||
			res.Versions[1].Damage != "" {
			t.Errorf("versions = %+v; want the first marked damaged", res.Versions)
		}
		var d diffAnswer
		getJSON(t, srv.URL, "/api/articles/"+older.ID+"/diff", http.StatusOK, &d)
		if !strings.HasPrefix(d.From.Damage, store.DamageHash) || d.To.Damage != "" {
			t.Errorf("diff from %+v to %+v; want the first marked damaged", d.From, d.To)
		}
	})
	t.Run("export", func(t *testing.T) {
		res := request(t, http.MethodGet, srv.URL+"/api/export?format=jsonl", "", "")
		dec := json.NewDecoder(res.Body)
		n := 0
		for dec.More() {
			var r export.Record
			if err := dec.Decode(&r); err != nil {
				t.Fatal(err)
			}
			n++
			checkDamage(t, "exported record", r.ID, r.Damage)
		}
		if n != len(wantDamage) {
			t.Errorf("%d records, want %d", n, len(wantDamage))
		}
	})
}
