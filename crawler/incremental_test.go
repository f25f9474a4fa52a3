package crawler_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsarc/crawler"
	"newsarc/crawler/samplesite"
	"newsarc/extract"
	"newsarc/store"
)

// TestIncrementalRecrawl crawls the fixture site twice with persistent
// state. Between the runs one article is edited, one removed and one
// added; every archived article is due again (a 1 ns revisit interval), so
// the second run asks each with a conditional GET.
func TestIncrementalRecrawl(t *testing.T) {
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	st := openStore(t)
	state, err := crawler.OpenState(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()

	cfg := testConfig()
	cfg.State = state
	cfg.Revisit = []time.Duration{time.Nanosecond}
	sample := crawler.Site{Name: "sample", Seeds: []string{srv.URL + "/"}}
	run := func() crawler.Stats {
		t.Helper()
		stats, err := crawler.New(cfg, st, nil).Run(context.Background(), sample, extract.New(extract.DefaultOptions()))
		if err != nil {
			t.Fatal(err)
		}
		return stats
	}
	first := run()
	if first.New != len(site.Articles()) {
		t.Fatalf("first run archived %d articles, want %d", first.New, len(site.Articles()))
	}

	// An unchanged site: every page answers 304 to its conditional GET,
	// and the run reads a small fraction of the first one's bytes.
	site.ResetRequests()
	unchanged := run()
	if unchanged.New+unchanged.Updated != 0 || unchanged.NotModified < len(site.Articles()) {
		t.Errorf("unchanged site: new %d, updated %d, not modified %d; want 0, 0 and at least %d",
			unchanged.New, unchanged.Updated, unchanged.NotModified, len(site.Articles()))
	}
	if unchanged.Bytes*20 > first.Bytes {
		t.Errorf("recrawl of an unchanged site read %d bytes, more than 5%% of the first crawl's %d", unchanged.Bytes, first.Bytes)
	}
	t.Logf("bytes: first crawl %d, recrawl of the unchanged site %d (%.1f%%)", first.Bytes, unchanged.Bytes,
		100*float64(unchanged.Bytes)/float64(first.Bytes))

	var edited, gone samplesite.Article
	for _, a := range site.Articles() {
		if a.Reach == samplesite.ReachList && a.Lang == "zh" && a.Charset == "utf-8" {
			if edited.Path == "" {
				edited = a
			} else if gone.Path == "" {
				gone = a
			}
		}
	}
	para := "<p>更正:本文初稿中关于试点城市数量的表述有误,现已根据主管部门最新通报更正为二十四个,相关数据同步更新,特此说明。编辑部对此向读者致歉。</p>"
	site.SetBody(edited.Path, strings.Repeat(para, 6))
	site.Remove(gone.Path)
	added := samplesite.Article{Path: "/2025/05/06/new-port-line/", Title: "新开通的中欧班列线路首趟列车抵达", Lang: "zh"}
	addPara := "<p>五月六日清晨,满载电子产品和汽车配件的首趟班列缓缓驶入终点站,标志着这条新线路正式投入运营。铁路部门表示,新线路将运输时间缩短了约三天。</p>"
	site.Add(added, strings.Repeat(addPara, 6))
	site.ResetRequests()

	second := run()
	if second.New != 1 || second.Updated != 1 || second.Removed != 1 {
		t.Errorf("second run: new %d, updated %d, removed %d; want 1, 1, 1 (stats %+v)", second.New, second.Updated, second.Removed, second)
	}
	for p, n := range site.Requests() {
		if n > 1 && !strings.HasPrefix(p, "/robots.txt") {
			t.Errorf("second run fetched %s %d times", p, n)
		}
	}

	get := func(path string) *store.Article {
		t.Helper()
		u, _ := url.Parse(srv.URL + path)
		a, err := st.Get(context.Background(), store.IDFor(u.String()))
		if err != nil {
			t.Fatalf("get %s: %v", path, err)
		}
		return a
	}
	if a := get(edited.Path); a.Version != 2 || !strings.Contains(a.Text, "更正") {
		t.Errorf("edited article: version %d, text %.60q; want version 2 with the new text", a.Version, a.Text)
	} else if vs, err := st.Versions(context.Background(), a.ID); err != nil || len(vs) != 1 || !strings.Contains(vs[0].Text, edited.BodySnippet) {
		t.Errorf("edited article keeps %d old versions (err %v), want 1 with the old text", len(vs), err)
	}
	if a := get(gone.Path); a.RemovedAt.IsZero() {
		t.Errorf("removed article has no removed_at")
	} else if !strings.Contains(a.Text, gone.BodySnippet) {
		t.Errorf("removed article lost its text")
	}
	if a := get(added.Path); a.Title != added.Title {
		t.Errorf("added article title %q", a.Title)
	}

	// With a one-day revisit, a run right after finds no article due.
	cfg.Revisit = []time.Duration{24 * time.Hour}
	run()
	site.ResetRequests()
	rested := run()
	if rested.New+rested.Updated != 0 || rested.Skipped["not-due"] == 0 {
		t.Errorf("rested run: new %d updated %d, skipped %v; want nothing new and articles not due", rested.New, rested.Updated, rested.Skipped)
	}
	reqs := site.Requests()
	for _, a := range site.Articles() {
		if reqs[a.Path] != 0 {
			t.Errorf("article %s, not due, was fetched", a.Path)
		}
	}
}
