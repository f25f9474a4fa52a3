package bleve_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) store.Store {
		return mustOpen(t, t.TempDir())
	})
}

// mustOpen opens the store in dir and closes it when the test ends,
// unless the test closed it first.
func mustOpen(t testing.TB, dir string) *bleve.Store {
	t.Helper()
	s, err := bleve.Open(context.Background(), dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func mustClose(t testing.TB, s *bleve.Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func mustPut(t testing.TB, s *bleve.Store, articles ...*store.Article) []store.Change {
	t.Helper()
	changes, err := s.Put(context.Background(), articles...)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return changes
}

// checkSearch checks that text finds exactly want articles.
func checkSearch(t testing.TB, s *bleve.Store, text string, want int) {
	t.Helper()
	res, err := s.Search(context.Background(), store.Query{Text: text})
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	if res.Total != want {
		t.Errorf("Search(%q): Total %d, want %d", text, res.Total, want)
	}
}

// article returns a small Chinese article whose body contains text.
func article(url, text string) *store.Article {
	return &store.Article{
		ID: store.IDFor(url), URL: url, CanonicalURL: url, Site: "xinhua", Language: "zh",
		Title: "标题", Text: text, ContentHash: store.HashText(text),
	}
}

func TestReopen(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := mustOpen(t, dir)
	a := article("https://xinhua.example/1", "关于数据主权的讨论")
	mustPut(t, s, a)
	mustClose(t, s)

	s = mustOpen(t, dir)
	got, err := s.Get(ctx, a.ID)
	if err != nil || got.Text != a.Text {
		t.Fatalf("Get after reopen: %+v, %v", got, err)
	}
	checkSearch(t, s, "主权", 1)

	b := *a
	b.Text = "改写后的正文"
	b.ContentHash = store.HashText(b.Text)
	if changes := mustPut(t, s, &b); changes[0] != store.Updated {
		t.Errorf("Put after reopen: %v, want updated", changes[0])
	}
	checkSearch(t, s, "改写", 1)
	checkSearch(t, s, "主权", 0)
}

func TestRepairMissingIndex(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	mustPut(t, s, storetest.Articles(30)...)
	mustPut(t, s, article("https://xinhua.example/1", "关于数据主权的讨论"))
	mustClose(t, s)

	if err := os.RemoveAll(filepath.Join(dir, "index.bleve")); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir)
	checkSearch(t, s, "主权", 1)
	res, err := s.Search(t.Context(), store.Query{})
	if err != nil || res.Total != 31 {
		t.Fatalf("match-all after repair: %v, %v; want 31", res, err)
	}
}

// TestRepairStaleIndex puts back an index from before the last Put, as a
// crash between the database commit and the index flush would leave it,
// with as many documents as the database so that only the generation
// tells.
func TestRepairStaleIndex(t *testing.T) {
	dir := t.TempDir()
	index := filepath.Join(dir, "index.bleve")
	s := mustOpen(t, dir)
	a := article("https://xinhua.example/1", "关于数据主权的讨论")
	mustPut(t, s, a)
	mustClose(t, s)
	if err := os.CopyFS(filepath.Join(dir, "old"), os.DirFS(index)); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, dir)
	b := *a
	b.Text = "改写后的正文"
	b.ContentHash = store.HashText(b.Text)
	mustPut(t, s, &b)
	mustClose(t, s)
	if err := os.RemoveAll(index); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "old"), index); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, dir)
	checkSearch(t, s, "改写", 1)
	checkSearch(t, s, "主权", 0)
}

func TestRepairCorruptIndex(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	mustPut(t, s, article("https://xinhua.example/1", "关于数据主权的讨论"))
	mustClose(t, s)
	index := filepath.Join(dir, "index.bleve")
	if err := os.RemoveAll(index); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(index, []byte("not an index"), 0o644); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir)
	checkSearch(t, s, "主权", 1)
}

func TestRaw(t *testing.T) {
	ctx := t.Context()
	s := mustOpen(t, t.TempDir())
	a := article("https://xinhua.example/1", "第一版")
	a.Raw = bytes.Repeat([]byte("<p>第一版</p>"), 100)
	mustPut(t, s, a)
	if got, err := s.Raw(ctx, a.ID); err != nil || !bytes.Equal(got, a.Raw) {
		t.Fatalf("Raw = %d bytes, %v; want %d bytes", len(got), err, len(a.Raw))
	}

	same := *a
	same.Raw = nil // an unchanged Put without a body keeps the kept one
	mustPut(t, s, &same)
	if got, err := s.Raw(ctx, a.ID); err != nil || !bytes.Equal(got, a.Raw) {
		t.Fatalf("Raw after unchanged Put = %d bytes, %v; want %d bytes", len(got), err, len(a.Raw))
	}

	b := article("https://xinhua.example/1", "第二版")
	b.Raw = []byte("<p>第二版</p>")
	mustPut(t, s, b)
	if got, err := s.Raw(ctx, a.ID); err != nil || !bytes.Equal(got, b.Raw) {
		t.Fatalf("Raw after update = %q, %v; want %q", got, err, b.Raw)
	}

	c := article("https://xinhua.example/1", "第三版, no body")
	mustPut(t, s, c)
	if _, err := s.Raw(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Raw of a version stored without body: %v, want ErrNotFound", err)
	}
	if _, err := s.Raw(ctx, store.IDFor("https://nowhere.example/")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Raw(unknown): %v, want ErrNotFound", err)
	}
}

func TestPutRejectsMissingID(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	if _, err := s.Put(t.Context(), &store.Article{Title: "无编号"}); err == nil {
		t.Error("Put of an article without ID succeeded")
	}
	if _, err := s.Put(t.Context(), nil); err == nil {
		t.Error("Put of nil succeeded")
	}
}

func TestPunctuationOnlyQuery(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	mustPut(t, s, article("https://xinhua.example/1", "关于数据主权的讨论"))
	checkSearch(t, s, "， 。", 0)
	checkSearch(t, s, "主权 ，", 1)
}

// TestEnglishStems checks that English words match their inflections (by
// their stems, at search time), with the forms matched highlighted, in
// English and Chinese articles alike.
func TestEnglishStems(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	en := &store.Article{
		ID: "en", Site: "bbc", Language: "en", Title: "Central bank holds rates",
		Text: "The elections were held in March; voters queued for hours.",
	}
	zh := &store.Article{ID: "zh", Site: "xinhua", Language: "zh", Title: "央行", Text: "央行维持利率不变。"}
	mustPut(t, s, en, zh)
	for _, c := range []struct {
		text string
		want int
	}{
		{"election", 1}, {"rate", 1}, {"voter hour", 1}, {"Elections", 1},
		{"the", 1}, // a stop word still matches the unstemmed field
		{"利率", 1},  // Chinese goes through the cjk fields only
		{"rat", 0},
	} {
		checkSearch(t, s, c.text, c.want)
	}
	// The forms a stem matched are highlighted, and the words of a
	// Chinese article match by stem too.
	res, err := s.Search(t.Context(), store.Query{Text: "election"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || !strings.Contains(strings.Join(res.Hits[0].Fragments, " "), ">elections<") {
		t.Errorf("election: hits %+v, want one with elections highlighted", res.Hits)
	}
	mustPut(t, s, &store.Article{ID: "zh2", Site: "xinhua", Language: "zh", Title: "选举", Text: "选举 Elections 结果。"})
	checkSearch(t, s, "election", 2)
}

// TestRanking pins the ranking, totals and facets of a fixed corpus
// (testdata/ranking.golden.json; NEWSARC_UPDATE_GOLDEN=1 rewrites it).
func TestRanking(t *testing.T) {
	storetest.Ranking(t, mustOpen(t, t.TempDir()), filepath.Join("testdata", "ranking.golden.json"))
}
