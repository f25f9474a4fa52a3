package crawler_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"newsarc/crawler"
	"newsarc/extract"
)

// pagedArticle renders page n (1-based) of a three-page Chinese article
// with a paging bar, as portals split long stories.
func pagedArticle(n int) string {
	paras := [][]string{
		{"市政府18日召开新闻发布会，介绍今年城市更新行动的总体安排。今年全市计划改造老旧小区一百二十个，涉及居民四万余户，改造内容包括加装电梯、更新管网和增设停车位。",
			"发布会上，市住房和城乡建设局负责人表示，改造将坚持居民自愿原则，先征求意见再确定方案，每个小区的改造清单都将在小区内公示十五天。"},
		{"在资金安排上，市财政今年安排专项资金十八亿元，同时鼓励社会资本参与停车场、养老托育等配套设施的建设和运营，形成多元投入机制。",
			"针对加装电梯中常见的低层住户意见分歧问题，市里将出台补偿指导办法，由街道和社区组织协商，必要时引入第三方调解。"},
		{"此外，城市更新还将与历史文化保护相结合。老城区内的十二条历史街巷将开展微改造，保留原有街巷肌理和传统风貌，不搞大拆大建。",
			"负责人最后表示，各区将于三月底前公布首批改造项目名单，市里将建立月度通报制度，确保年底前完成全部改造任务。"},
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>我市今年改造老旧小区一百二十个_城市新闻网</title>`+
		`<meta property="og:type" content="article"></head><body><nav><a href="/">首页</a></nav><div class="article">`+
		`<h1>我市今年改造老旧小区一百二十个</h1><div class="info">2025-02-18 10:20 来源：城市日报</div>`)
	for _, p := range paras[n-1] {
		fmt.Fprintf(&b, "<p>%s</p>", p)
	}
	b.WriteString(`<div class="pages">`)
	name := func(i int) string {
		if i == 1 {
			return "/news/2025/0218/123.html"
		}
		return fmt.Sprintf("/news/2025/0218/123_%d.html", i)
	}
	if n > 1 {
		fmt.Fprintf(&b, `<a href="%s">上一页</a> `, name(n-1))
	}
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&b, `<a href="%s">%d</a> `, name(i), i)
	}
	if n < 3 {
		fmt.Fprintf(&b, `<a href="%s">下一页</a>`, name(n+1))
	}
	b.WriteString(`</div><p class="editor">责任编辑：王明</p></div><footer>版权所有</footer></body></html>`)
	return b.String()
}

// TestMultiPageArticle crawls an article split over three pages: it is
// archived once, with the text of every page, and its continuation pages
// are not archived on their own, in this run or the next.
func TestMultiPageArticle(t *testing.T) {
	site := newFixture(t, map[string]http.HandlerFunc{
		"/":                          html(listPage("/news/2025/0218/123.html")),
		"/news/2025/0218/123.html":   html(pagedArticle(1)),
		"/news/2025/0218/123_2.html": html(pagedArticle(2)),
		"/news/2025/0218/123_3.html": html(pagedArticle(3)),
	})
	st := openStore(t)
	c := stateCrawler(t, testConfig(), st)
	ex := extract.New(extract.DefaultOptions())
	s1, err := c.Run(context.Background(), crawler.Site{Name: "city", Seeds: []string{site.URL + "/"}}, ex)
	if err != nil {
		t.Fatal(err)
	}
	arts := allArticles(t, st)
	if len(arts) != 1 || s1.New != 1 || s1.ArticlePages != 2 {
		t.Fatalf("archived %d articles (new %d), merged %d pages; want one article of three pages", len(arts), s1.New, s1.ArticlePages)
	}
	a := arts[0]
	for _, want := range []string{"老旧小区一百二十个", "十八亿元", "月度通报制度"} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("article text lacks %q (a page was not merged):\n%s", want, a.Text)
		}
	}
	for _, bad := range []string{"下一页", "上一页", "责任编辑"} {
		if strings.Contains(a.Text, bad) {
			t.Errorf("article text holds %q", bad)
		}
	}
	if strings.Count(a.Text, "市政府18日召开新闻发布会") != 1 {
		t.Errorf("first page's text appears %d times", strings.Count(a.Text, "市政府18日召开新闻发布会"))
	}
	for _, p := range []string{"/news/2025/0218/123_2.html", "/news/2025/0218/123_3.html"} {
		if n := site.count(p); n != 1 {
			t.Errorf("%s fetched %d times, want once", p, n)
		}
	}

	// The next run refetches the article when it is due, never its pages
	// on their own.
	s2, err := c.Run(context.Background(), crawler.Site{Name: "city", Seeds: []string{site.URL + "/"}}, ex)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(allArticles(t, st)); n != 1 || s2.New != 0 {
		t.Errorf("after a second run: %d articles, %d new; want the one article", n, s2.New)
	}
	for _, p := range []string{"/news/2025/0218/123_2.html", "/news/2025/0218/123_3.html"} {
		if n := site.count(p); n != 1 {
			t.Errorf("%s fetched %d times after the second run, want once", p, n)
		}
	}
}

// TestMultiPageArticleRobots: a continuation page robots.txt disallows is
// not fetched; the article keeps the pages before it.
func TestMultiPageArticleRobots(t *testing.T) {
	site := newFixture(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nDisallow: /news/2025/0218/123_3.html\n")
		},
		"/":                          html(listPage("/news/2025/0218/123.html")),
		"/news/2025/0218/123.html":   html(pagedArticle(1)),
		"/news/2025/0218/123_2.html": html(pagedArticle(2)),
		"/news/2025/0218/123_3.html": html(pagedArticle(3)),
	})
	st := openStore(t)
	stats := crawl(t, testConfig(), st, site.URL+"/")
	arts := allArticles(t, st)
	if len(arts) != 1 || stats.ArticlePages != 1 || site.count("/news/2025/0218/123_3.html") != 0 {
		t.Fatalf("%d articles, %d pages merged, page 3 fetched %d times; want one article of two pages and page 3 never fetched",
			len(arts), stats.ArticlePages, site.count("/news/2025/0218/123_3.html"))
	}
	if !strings.Contains(arts[0].Text, "十八亿元") || strings.Contains(arts[0].Text, "月度通报制度") {
		t.Errorf("article text:\n%s", arts[0].Text)
	}
}
