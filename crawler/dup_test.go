package crawler_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"newsarc/crawler"
	"newsarc/extract"
	"newsarc/store"
)

// Bodies of three unrelated stories, long enough to be linked.
var (
	storyPort = []string{
		"本报讯 受台风影响，沿海三个主要港口18日起暂停集装箱装卸作业，数百艘货轮在锚地等待进港。港口管理部门表示，恢复作业的时间将视风力减弱情况而定。",
		"据港口集团介绍，截至18日下午，已有超过四千个集装箱滞留堆场，部分航运公司已将船舶改靠邻近港口。货主和物流企业纷纷调整运输计划，改走铁路和公路。",
		"气象部门预计，台风将于19日凌晨在南部沿海登陆，登陆时中心附近最大风力可达十四级。沿海各地已转移危险区域群众一万余人，渔船全部回港避风。",
		"商务部门提醒外贸企业关注港口作业动态，合理安排出货时间，避免因滞港产生额外费用。",
	}
	storyBudget = []string{
		"市人大常委会周一表决通过今年财政预算调整方案，增加公共图书馆和城市公园的投入，同时连续第三年不上调房产相关收费。",
		"会议持续了六个多小时。部分委员认为，方案过于依赖出让市政土地带来的一次性收入，今后两年可能面临收支缺口。",
		"市长表示，预算反映了居民在去年秋天一系列座谈会上提出的意见。方案还安排资金新招公交司机四十名，并维修东区老旧的水厂。",
	}
	storySchool = []string{
		"记者从市教育局获悉，今年秋季学期全市将新增中小学学位两万个，新建和改扩建学校三十所，重点缓解城区新建住宅小区周边的入学压力。",
		"教育局负责人介绍，新建学校将按照标准化学校要求配备图书室、实验室和体育场地，并同步招聘教师一千二百名。",
		"家长可以通过教育局网站查询学区划分情况，报名时间为七月一日至七月十五日。",
	}
)

// zhPage renders a Chinese article page with a date, a source line and
// an editor line.
func zhPage(title, source string, paras []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>%s</title>`+
		`<meta property="og:type" content="article"></head><body><nav><a href="/">首页</a></nav>`+
		`<div class="article"><h1>%s</h1><div class="info">2025-02-18 10:20 来源：%s</div>`, title, title, source)
	for _, p := range paras {
		fmt.Fprintf(&b, "<p>%s</p>", p)
	}
	b.WriteString(`<p class="editor">责任编辑：王明</p></div><footer>版权所有</footer></body></html>`)
	return b.String()
}

// TestNearDuplicatesLinked crawls two sites, the second of which reprints
// one story of the first with small edits: the reprint is linked to the
// original, the other stories stay alone, and the group is searchable.
func TestNearDuplicatesLinked(t *testing.T) {
	first := newFixture(t, map[string]http.HandlerFunc{
		"/":                 html(listPage("/news/port.html", "/news/budget.html")),
		"/news/port.html":   html(zhPage("台风影响三大港口暂停作业", "本报", storyPort)),
		"/news/budget.html": html(zhPage("市人大通过预算调整方案", "本报", storyBudget)),
	})
	reprinted := append([]string{}, storyPort...)
	reprinted[0] = strings.Replace(reprinted[0], "本报讯 ", "", 1)
	reprinted[2] = strings.Replace(reprinted[2], "一万余人", "一万多人", 1)
	second := newFixture(t, map[string]http.HandlerFunc{
		"/":            html(listPage("/a/1001.html", "/a/1002.html")),
		"/a/1001.html": html(zhPage("台风来袭 沿海三港暂停装卸", "日报", reprinted)),
		"/a/1002.html": html(zhPage("今秋新增两万个中小学学位", "晚报", storySchool)),
	})

	st := openStore(t)
	cfg := testConfig()
	c := crawler.New(cfg, st, nil)
	ex := extract.New(extract.DefaultOptions())
	s1, err := c.Run(context.Background(), crawler.Site{Name: "first", Seeds: []string{first.URL + "/"}}, ex)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := c.Run(context.Background(), crawler.Site{Name: "second", Seeds: []string{second.URL + "/"}}, ex)
	if err != nil {
		t.Fatal(err)
	}
	if s1.New != 2 || s2.New != 2 {
		t.Fatalf("archived %d and %d articles, want 2 and 2", s1.New, s2.New)
	}
	if s1.Duplicates != 0 || s2.Duplicates != 1 {
		t.Errorf("duplicates counted %d and %d, want 0 and 1", s1.Duplicates, s2.Duplicates)
	}

	byPath := map[string]*store.Article{}
	for _, a := range allArticles(t, st) {
		if a.SimHash == "" {
			t.Errorf("%s has no simhash", a.URL)
		}
		byPath[a.URL[strings.LastIndex(a.URL, "/"):]] = a
	}
	orig, reprint := byPath["/port.html"], byPath["/1001.html"]
	if orig == nil || reprint == nil {
		t.Fatalf("articles archived: %v", byPath)
	}
	if orig.SimHash == reprint.SimHash {
		t.Errorf("the edited reprint has the original's simhash %s; the test needs a near, not an exact, copy", orig.SimHash)
	}
	if reprint.DuplicateOf != orig.ID || reprint.Cluster != orig.ID {
		t.Errorf("reprint: duplicate_of %q cluster %q, want both %q (the original)", reprint.DuplicateOf, reprint.Cluster, orig.ID)
	}
	for _, p := range []string{"/port.html", "/budget.html", "/1002.html"} {
		if a := byPath[p]; a.DuplicateOf != "" || a.Cluster != a.ID {
			t.Errorf("%s: duplicate_of %q cluster %q, want none and its own id", p, a.DuplicateOf, a.Cluster)
		}
	}
	res, err := st.Search(context.Background(), store.Query{Cluster: orig.ID})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 {
		t.Errorf("the original's group has %d articles, want 2", res.Total)
	}

	// A recrawl of both sites keeps the links as they are.
	if _, err := c.Run(context.Background(), crawler.Site{Name: "first", Seeds: []string{first.URL + "/"}}, ex); err != nil {
		t.Fatal(err)
	}
	again, err := st.Get(context.Background(), orig.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Cluster != orig.ID || again.DuplicateOf != "" {
		t.Errorf("original after recrawl: cluster %q duplicate_of %q, want its own id and none", again.Cluster, again.DuplicateOf)
	}
}
