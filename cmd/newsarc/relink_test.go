package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsarc/extract"
	"newsarc/store"
	"newsarc/store/bleve"
)

// TestRelink links an archive written before linking existed (no SimHash,
// no cluster) or with linking off (a SimHash, no cluster), the reprint
// stored before its original.
func TestRelink(t *testing.T) {
	data := t.TempDir()
	story := strings.Repeat("受台风影响，沿海三个主要港口暂停集装箱装卸作业，数百艘货轮在锚地等待进港。", 3) +
		"\n\n港口集团介绍，已有超过四千个集装箱滞留堆场，部分航运公司已将船舶改靠邻近港口。" +
		"\n\n气象部门预计，台风将于19日凌晨在南部沿海登陆，沿海各地已转移危险区域群众一万余人。"
	other := "市人大常委会周一表决通过今年财政预算调整方案，增加公共图书馆和城市公园的投入。" +
		"\n\n会议持续了六个多小时。部分委员认为，方案过于依赖出让市政土地带来的一次性收入，今后两年可能面临收支缺口。" +
		"\n\n市长表示，预算反映了居民在去年秋天一系列座谈会上提出的意见，还安排资金新招公交司机四十名。"
	mk := func(site, url, text string, published time.Time) *store.Article {
		return &store.Article{ID: store.IDFor(url), URL: url, CanonicalURL: url, Site: site, Title: site + " story",
			Language: "zh", Text: text, WordCount: len([]rune(text)), Published: published,
			FetchedAt: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	}
	day := time.Date(2025, 2, 18, 10, 0, 0, 0, time.UTC)
	reprint := mk("second", "https://second.example/a/1.html", "（来源：第一日报）\n\n"+story, day.Add(3*time.Hour))
	original := mk("first", "https://first.example/port.html", story, day)
	lone := mk("first", "https://first.example/budget.html", other, day.Add(time.Hour))
	// The reprint was archived with linking off: a SimHash, no cluster.
	reprint.SimHash = store.FormatSimHash(extract.SimHash(reprint.Text))

	ctx := context.Background()
	st, err := bleve.Open(ctx, filepath.Join(data, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, reprint, lone, original); err != nil {
		t.Fatal(err)
	}
	st.Close()

	out := newsarc(t, "relink", "--data", data)
	if !strings.Contains(out, "3 never linked were linked, 1 of them near-duplicates") || !strings.Contains(out, "2 SimHashes computed") {
		t.Errorf("relink summary:\n%s", out)
	}
	out = newsarc(t, "relink", "--data", data)
	if !strings.Contains(out, "0 never linked were linked") {
		t.Errorf("second relink summary:\n%s", out)
	}

	st, err = bleve.Open(ctx, filepath.Join(data, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	get := func(a *store.Article) *store.Article {
		got, err := st.Get(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SimHash == "" || got.Version != 1 {
			t.Errorf("%s: simhash %q version %d, want a simhash and the same version", a.URL, got.SimHash, got.Version)
		}
		return got
	}
	if o := get(original); o.Cluster != original.ID || o.DuplicateOf != "" {
		t.Errorf("original: cluster %q duplicate_of %q, want its own id and none", o.Cluster, o.DuplicateOf)
	}
	if r := get(reprint); r.Cluster != original.ID || r.DuplicateOf != original.ID {
		t.Errorf("reprint: cluster %q duplicate_of %q, want the original's id %q", r.Cluster, r.DuplicateOf, original.ID)
	}
	if l := get(lone); l.Cluster != lone.ID || l.DuplicateOf != "" {
		t.Errorf("unrelated: cluster %q duplicate_of %q", l.Cluster, l.DuplicateOf)
	}
	st.Close() // the embedded archive is single-process
	out = newsarc(t, "search", "--data", data, "--cluster", original.ID)
	if !strings.HasPrefix(out, "2 results") || !strings.Contains(out, "near-duplicate of "+original.ID) {
		t.Errorf("search --cluster:\n%s", out)
	}
}
