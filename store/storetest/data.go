package storetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"newsarc/store"
)

// cst is China Standard Time, so that round trips cover non-UTC offsets.
var cst = time.FixedZone("CST", 8*3600)

// article builds a complete article for url with a content hash of text.
func article(site, lang, url, title, text string, published time.Time, authors ...string) *store.Article {
	return &store.Article{
		ID:           store.IDFor(url),
		URL:          url,
		CanonicalURL: url,
		Site:         site,
		Title:        title,
		Authors:      authors,
		Published:    published,
		Language:     lang,
		Text:         text,
		WordCount:    len([]rune(text)),
		ContentHash:  store.HashText(text),
		FetchedAt:    time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC),
	}
}

// filed sets a's section and tags and returns a.
func filed(a *store.Article, section string, tags ...string) *store.Article {
	a.Section, a.Tags = section, tags
	return a
}

// The search corpus. Facet counts over all of it:
//
//	site:     xinhua 2, people 2, bbc 2, reuters 2
//	author:   张伟 2, Jane Doe 2, John Smith 2, 李娜 1, 王芳 1
//	language: zh 4, en 4
//	section:  经济 2, 社会 1, 科技 1, world 1, politics 1, business 1
//	tag:      数据 3, election 2, 立法 1, 城市 1, 人工智能 1, climate 1, politics 1, markets 1
//	date:     2025-01 2, 2025-02 3, 2025-03 2 (one article is undated)
//
// The undated article has no section and no tags; "politics" is one
// article's section and another's tag.
var (
	zhSovereignty = filed(article("xinhua", "zh", "https://xinhua.example/2025/01/data.html",
		"数字经济新规出台",
		"记者从会议获悉，专家们围绕关于数据主权的讨论展开了激烈辩论。\n\n会议还讨论了跨境数据流动与个人信息保护。",
		time.Date(2025, 1, 15, 9, 30, 0, 0, cst), "张伟"), "经济", "数据", "立法")
	zhNoSovereignty = filed(article("xinhua", "zh", "https://xinhua.example/2025/02/city.html",
		"主要城市保障居民权利",
		"本文介绍主要城市的居民权利和公共服务，以及社区治理的新做法。",
		time.Date(2025, 2, 10, 14, 0, 0, 0, cst), "李娜"), "社会", "城市")
	zhTitle = filed(article("people", "zh", "https://people.example/2025/02/focus.html",
		"数据主权成为焦点",
		"各国政府正在加强对数据的管理，并推动相关立法。",
		time.Date(2025, 2, 20, 10, 0, 0, 0, cst), "张伟"), "经济", "数据")
	zhAI = filed(article("people", "zh", "https://people.example/2025/03/ai.html",
		"人工智能峰会在上海举行",
		"来自各国的代表讨论了人工智能治理与数据安全。AI safety was a key topic at the summit.",
		time.Date(2025, 3, 12, 16, 45, 0, 0, cst), "王芳"), "科技", "人工智能", "数据")
	enClimate = filed(article("reuters", "en", "https://reuters.example/world/climate-bill",
		"Parliament debates climate policy",
		"Lawmakers met on Tuesday to debate a new climate bill.\n\nThe election is next year, and the vote could shift.",
		time.Date(2025, 1, 20, 12, 0, 0, 0, time.UTC), "Jane Doe"), "world", "climate", "politics")
	enElection = filed(article("bbc", "en", "https://bbc.example/news/election-results",
		"Election results announced",
		"Voters turned out in record numbers across the country.",
		time.Date(2025, 2, 5, 18, 0, 0, 0, time.UTC), "John Smith", "Jane Doe"), "politics", "election")
	enMarkets = filed(article("bbc", "en", "https://bbc.example/news/markets",
		"Markets rally",
		"Stocks rose after the central bank held rates. Analysts expect the election to weigh on markets.",
		time.Date(2025, 3, 3, 7, 15, 0, 0, time.UTC), "John Smith"), "business", "markets", "election")
	enUndated = article("reuters", "en", "https://reuters.example/notice",
		"Undated notice",
		"A notice without a date that mentions climate.",
		time.Time{})
)

// corpus returns fresh copies of the search corpus.
func corpus() []*store.Article {
	arts := []*store.Article{zhSovereignty, zhNoSovereignty, zhTitle, zhAI, enClimate, enElection, enMarkets, enUndated}
	out := make([]*store.Article, len(arts))
	for i, a := range arts {
		c := *a
		out[i] = &c
	}
	return out
}

// Words for generated articles. None of them, nor any two of them side by
// side, contains a word the search subtests look for.
var (
	zhWords = []string{"经济", "市场", "政府", "教育", "医疗", "能源", "交通", "文化", "体育", "科技",
		"农业", "旅游", "环境", "城市", "乡村", "企业", "投资", "消费", "就业", "创新",
		"发展", "改革", "合作", "会议", "报告", "政策", "规划", "项目", "服务", "建设"}
	enWords = []string{"economy", "market", "government", "school", "health", "energy", "transport", "culture",
		"sport", "technology", "farm", "travel", "river", "city", "village", "company", "invest",
		"shopping", "jobs", "design", "growth", "reform", "partner", "meeting", "report", "plan",
		"project", "service", "bridge", "harbour"}
	genSites   = []string{"xinhua", "people", "bbc", "reuters", "caixin"}
	genAuthors = []string{"张伟", "李娜", "王芳", "Jane Doe", "John Smith", "Ana Lima"}
)

// Articles returns n generated articles, deterministic for a given n:
// alternately Chinese and English, spread over five sites and six authors,
// published at whole hours of the year before June 2025 (so some share a
// time; every 50th article is undated), each with a body of three
// paragraphs, about 150 English words or 170 Chinese characters, and a
// random SimHash (no two are near-duplicates, as far as chance allows).
// Backends' benchmarks use it as well.
func Articles(n int) []*store.Article {
	r := rand.New(rand.NewPCG(uint64(n), 20250601))
	sims := rand.New(rand.NewPCG(uint64(n), 64)) // SimHashes: distinct stories, uniformly spread
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*store.Article, n)
	for i := range n {
		zh := i%2 == 0
		site := genSites[i%len(genSites)]
		var title, text, lang string
		if zh {
			lang = "zh"
			title = sentence(r, zhWords, 4, "")
			paras := make([]string, 3)
			for p := range paras {
				paras[p] = sentence(r, zhWords, 25, "，") + "。"
			}
			text = strings.Join(paras, "\n\n")
		} else {
			lang = "en"
			title = sentence(r, enWords, 5, " ")
			paras := make([]string, 3)
			for p := range paras {
				paras[p] = sentence(r, enWords, 50, " ") + "."
			}
			text = strings.Join(paras, "\n\n")
		}
		published := base.Add(-time.Duration(r.IntN(365*24)) * time.Hour) // ties too
		if i%50 == 49 {
			published = time.Time{}
		}
		url := fmt.Sprintf("https://%s.example/gen/%d.html", site, i)
		a := article(site, lang, url, title, text, published, genAuthors[r.IntN(len(genAuthors))])
		a.Tags = []string{zhWords[i%len(zhWords)]}
		a.SimHash = store.FormatSimHash(sims.Uint64())
		out[i] = a
	}
	return out
}

// sentence joins n random words; sep every fifth word (Chinese) or between
// all words (English, sep " ").
func sentence(r *rand.Rand, words []string, n int, sep string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 && (sep == " " || (sep != "" && i%5 == 0)) {
			b.WriteString(sep)
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}
