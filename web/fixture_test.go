package web

import (
	"context"
	_ "embed"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"newsarc/store"
	"newsarc/store/bleve"
)

// payloadPage is an archived page whose body carries script, event-handler
// and javascript: payloads that set window.__xss and document.title.
//
//go:embed testdata/payload.html
var payloadPage []byte

var cst = time.FixedZone("CST", 8*3600)

func newArticle(site, lang, url, title, text string, published time.Time, authors ...string) *store.Article {
	return &store.Article{
		ID: store.IDFor(url), URL: url, CanonicalURL: url, Site: site, Title: title, Authors: authors,
		Published: published, Language: lang, Text: text, WordCount: len([]rune(text)),
		ContentHash: store.HashText(text), FetchedAt: time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC),
		Raw:     []byte("<html><body><p>" + text + "</p></body></html>"),
		Capture: store.Capture{Status: 200, Type: "text/html; charset=utf-8"},
	}
}

// The test archive: Chinese and English articles over four sites, an
// article with two versions, and one archived from payloadPage whose every
// field is hostile.
var (
	zhFocus = newArticle("people", "zh", "https://people.example/2025/02/focus.html", "数据主权成为焦点",
		"各国政府正在加强对数据的管理，数据主权成为焦点。\n\n专家呼吁推动相关立法。",
		time.Date(2025, 2, 20, 10, 0, 0, 0, cst), "张伟")
	zhEconomy = newArticle("xinhua", "zh", "https://xinhua.example/2025/01/data.html", "数字经济新规出台",
		"记者从会议获悉，专家们围绕关于数据主权的讨论展开了激烈辩论。\n\n会议还讨论了跨境数据流动与个人信息保护。",
		time.Date(2025, 1, 15, 9, 30, 0, 0, cst), "张伟")
	zhYangtze = newArticle("xinhua", "zh", "https://xinhua.example/2025/03/yangtze.html", "长江禁渔成效显著",
		"长江十年禁渔取得阶段性成效，鱼类资源逐步恢复。",
		time.Date(2025, 3, 8, 8, 0, 0, 0, cst), "李娜")
	zhAI = newArticle("people", "zh", "https://people.example/2025/03/ai.html", "人工智能峰会在上海举行",
		"来自各国的代表讨论了人工智能治理与数据主权。",
		time.Date(2025, 3, 12, 16, 45, 0, 0, cst), "王芳")
	enClimate = newArticle("reuters", "en", "https://reuters.example/world/climate-bill", "Parliament debates climate policy",
		"Lawmakers met on Tuesday to debate a new climate bill.\n\nThe election is next year.",
		time.Date(2025, 1, 20, 12, 0, 0, 0, time.UTC), "Jane Doe")
	enElection = newArticle("bbc", "en", "https://bbc.example/news/election-results", "Election results announced",
		"Voters turned out in record numbers across the country.",
		time.Date(2025, 2, 5, 18, 0, 0, 0, time.UTC), "John Smith", "Jane Doe")
	// versioned is stored twice: versionedV2 changes its second paragraph.
	versioned = newArticle("reuters", "en", "https://reuters.example/markets", "Markets rally",
		"Stocks rose after the central bank held rates.\n\nAnalysts expected calm.\n\nTrading closes at four.",
		time.Date(2025, 3, 3, 7, 15, 0, 0, time.UTC), "John Smith")
	versionedV2 = func() *store.Article {
		a := *versioned
		a.Title = "Markets rally on rate decision"
		a.Text = "Stocks rose after the central bank held rates.\n\nAnalysts now expect volatility.\n\nTrading closes at four."
		a.ContentHash = store.HashText(a.Text)
		a.FetchedAt = a.FetchedAt.Add(24 * time.Hour)
		return &a
	}()
	payload = &store.Article{
		ID:           store.IDFor("javascript:window.__xss='original-link'"),
		URL:          "javascript:window.__xss='url'",
		CanonicalURL: "javascript:window.__xss='original-link'",
		Site:         "payload",
		Title:        `数据主权 payload <img src=x onerror="window.__xss='title';document.title='pwned';alert(1)">`,
		Authors:      []string{`<b onmouseover="window.__xss='author'">Mallory</b>`},
		Published:    time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC),
		Language:     "zh",
		Text: "正文讨论数据主权。<script>window.__xss='text';document.title='pwned';alert(2)</script>\n\n" +
			`<img src=x onerror="window.__xss='text-img';document.title='pwned'">`,
		HTML:        string(payloadPage),
		ContentHash: "payload",
		FetchedAt:   time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC),
		Raw:         payloadPage,
		Capture:     store.Capture{Status: 200, Type: "text/html"},
	}
)

// putReprint stores a reprint of zhYangtze on another site, linked to it
// as crawls link near-duplicates, and returns it.
func putReprint(t testing.TB, st store.Store) *store.Article {
	t.Helper()
	reprint := newArticle("chinadaily", "zh", "https://chinadaily.example/2025/03/yangtze-reprint.html",
		"长江禁渔成效显著（转载）", zhYangtze.Text+"\n\n（来源：新华网）", time.Date(2025, 3, 9, 8, 0, 0, 0, cst))
	reprint.Cluster, reprint.DuplicateOf = zhYangtze.ID, zhYangtze.ID
	if _, err := st.Put(context.Background(), reprint); err != nil {
		t.Fatal(err)
	}
	return reprint
}

// fixtureStore returns a bleve store holding the test archive.
func fixtureStore(t testing.TB) *bleve.Store {
	t.Helper()
	st, err := bleve.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if _, err := st.Put(ctx, zhFocus, zhEconomy, zhYangtze, zhAI, enClimate, enElection, versioned, payload); err != nil {
		t.Fatal(err)
	}
	changes, err := st.Put(ctx, versionedV2)
	if err != nil || changes[0] != store.Updated {
		t.Fatalf("second version: %v %v", changes, err)
	}
	return st
}

// newServer serves the handler of st with opts.
func newServer(t testing.TB, st store.Store, opts Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(New(st, opts))
	t.Cleanup(srv.Close)
	return srv
}

// request sends method url with an optional bearer token and body.
func request(t testing.TB, method, url, token, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}
