package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsarc/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*/want.json")

// boilerplate must never appear in any extracted body.
var boilerplate = []string{
	"相关推荐", "相关阅读", "热门文章", "上一篇", "下一篇", "发表回复", "您的邮箱地址不会被公开",
	"责任编辑", "转载请注明出处", "请注明出处", "版权所有", "版权声明", "关注微信", "分享到",
	"Related stories", "You may also like", "Leave a reply", "Leave a Reply", "newsletter",
	"Newsletter", "cookies", "All rights reserved",
}

// caseMeta is a golden case's meta.json: how the page was fetched, and
// strings from around the article that must not reach its body.
type caseMeta struct {
	URL         string            `json:"url"`
	Headers     map[string]string `json:"headers"`
	Boilerplate []string          `json:"boilerplate"`
}

// golden is want.json: the article without Raw and HTML, or the error.
type golden struct {
	Error   string         `json:"error,omitempty"`
	Article *store.Article `json:"article,omitempty"`
}

var testNow = time.Date(2025, 2, 20, 8, 0, 0, 0, time.UTC)

type goldenCase struct {
	name   string
	dir    string
	meta   caseMeta
	header http.Header
	body   []byte
}

func loadCases(tb testing.TB) []goldenCase {
	tb.Helper()
	dirs, err := filepath.Glob("testdata/*/source.html")
	if err != nil || len(dirs) == 0 {
		tb.Fatalf("no golden cases: %v", err)
	}
	var cases []goldenCase
	for _, src := range dirs {
		dir := filepath.Dir(src)
		c := goldenCase{name: filepath.Base(dir), dir: dir, header: http.Header{}}
		raw, err := os.ReadFile(filepath.Join(dir, "meta.json"))
		if err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal(raw, &c.meta); err != nil {
			tb.Fatalf("%s: %v", dir, err)
		}
		for k, v := range c.meta.Headers {
			c.header.Set(k, v)
		}
		if c.body, err = os.ReadFile(src); err != nil {
			tb.Fatal(err)
		}
		cases = append(cases, c)
	}
	return cases
}

func newTestExtractor() *Extractor {
	opts := DefaultOptions()
	opts.Now = func() time.Time { return testNow }
	return New(opts)
}

func TestGolden(t *testing.T) {
	ex := newTestExtractor()
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			a, err := ex.Extract(context.Background(), c.meta.URL, c.header, c.body)
			var got golden
			if err != nil {
				if !errors.Is(err, ErrNotArticle) {
					t.Fatalf("Extract: %v", err)
				}
				got.Error = err.Error()
			} else {
				if !bytes.Equal(a.Raw, c.body) {
					t.Error("Raw is not the original body")
				}
				if a.HTML == "" {
					t.Error("HTML is empty")
				}
				for _, b := range append(boilerplate, c.meta.Boilerplate...) {
					if strings.Contains(a.Text, b) {
						t.Errorf("body contains boilerplate %q", b)
					}
				}
				cp := *a
				cp.HTML, cp.Raw = "", nil
				got.Article = &cp
			}
			gotJSON, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			gotJSON = append(gotJSON, '\n')
			wantFile := filepath.Join(c.dir, "want.json")
			if *update {
				if err := os.WriteFile(wantFile, gotJSON, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(want, gotJSON) {
				t.Errorf("%s differs from the extraction; got:\n%s", wantFile, gotJSON)
			}
		})
	}
}

func BenchmarkExtract(b *testing.B) {
	ex := newTestExtractor()
	cases := loadCases(b)
	var size int64
	for _, c := range cases {
		size += int64(len(c.body))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cases {
			_, _ = ex.Extract(context.Background(), c.meta.URL, c.header, c.body)
		}
	}
}

func TestSitePage(t *testing.T) {
	for _, tc := range []struct {
		url, title string
		want       bool
	}{
		{"https://news.example/privacy-policy", "Privacy Policy - The Courier", true},
		{"https://news.example/terms-of-service/", "Terms", true},
		{"https://news.example/about/jobs.shtml", "招聘信息_华夏新闻网", true},
		{"https://news.example/help/a.html", "版权声明 - 华夏新闻网", true},
		{"https://news.example/p/123", "关于我们", true},
		{"https://news.example/2025/02/18/privacy-law-passes/", "Parliament passes privacy law", false},
		{"https://news.example/news/jobs-report-beats-forecasts", "Jobs report beats forecasts", false},
		{"https://news.example/a/20250218/123.shtml", "关于我们这一代人的就业问题", false},
		{"https://news.example/zhuanti/2025chunyun/index.shtml", "2025春运专题", true},
		{"https://news.example/special/budget/", "Budget 2025", true},
		{"https://news.example/zhuanti/2025chunyun/a20250218_1.shtml", "春运首日客流", false},
		{"https://news.example/topics/climate/2025/02/18/floods-recede", "Floods recede", false},
	} {
		if got := sitePage(tc.url, tc.title); got != tc.want {
			t.Errorf("sitePage(%s, %q) = %v, want %v", tc.url, tc.title, got, tc.want)
		}
	}
}
