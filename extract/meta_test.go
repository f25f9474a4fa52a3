package extract

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestCleanTitle(t *testing.T) {
	names := []string{"广众网", "The Coastal Herald", "example"}
	tests := []struct{ name, in, want string }{
		{"dash site suffix", "评论员:主权AI对南方国家遥不可及 数字主权挑战显现 - 广众网", "评论员:主权AI对南方国家遥不可及 数字主权挑战显现"},
		{"pipe site suffix", "Port strike halts container traffic | The Coastal Herald", "Port strike halts container traffic"},
		{"underscore chain", "多地出台措施支持人工智能产业发展_财经频道_华夏资讯网", "多地出台措施支持人工智能产业发展"},
		{"double hyphen", "我县举办2025年春季农业技术培训班--青川县人民政府", "我县举办2025年春季农业技术培训班"},
		{"han hyphen known name", "大多美国人反对加征关税-广众网", "大多美国人反对加征关税"},
		{"site prefix", "广众网 | 大多美国人反对实施新加征关税措施", "大多美国人反对实施新加征关税措施"},
		{"host label", "Rail fares to rise in March - Example News", "Rail fares to rise in March"},
		{"fullwidth bar", "快讯｜国家统计局：1月份CPI同比上涨0.5%_南方财讯", "快讯｜国家统计局：1月份CPI同比上涨0.5%"},
		{"hyphenated word kept", "COVID-19 cases fall for third week", "COVID-19 cases fall for third week"},
		{"dash in headline kept", "Trump - The interview", "Trump - The interview"},
		{"colon kept", "评论员:主权AI对南方国家遥不可及", "评论员:主权AI对南方国家遥不可及"},
		{"no separator", "国家统计局：1月份CPI同比上涨0.5%", "国家统计局：1月份CPI同比上涨0.5%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanTitle(tt.in, names); got != tt.want {
				t.Errorf("cleanTitle(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEditorName(t *testing.T) {
	for in, want := range map[string]string{"于浩淙": "于浩淙", "于浩淙zx0176": "于浩淙", "张小花TT1000": "张小花", "Li": "Li", "王晓武_NN1024": "王晓武"} {
		if got := editorName(in); got != want {
			t.Errorf("editorName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHarvestEditorLine(t *testing.T) {
	m := &metadata{}
	m.harvest([]string{"责任编辑:于浩淙 zx0176", "主题测试文章,只做测试使用。发布者:广众网,转转请注明出处:https://www.zmdnky.org.cn/article/10442.html", "来源：新华网 作者：张三 李四"}, "")
	if m.editor.val != "于浩淙" || m.publisher.val != "广众网" || m.source.val != "新华网" {
		t.Errorf("editor %q, publisher %q, source %q", m.editor.val, m.publisher.val, m.source.val)
	}
	if len(m.authors) != 2 || m.authors[0] != "张三" || m.authors[1] != "李四" {
		t.Errorf("authors %q", m.authors)
	}
}

func TestHarvestLabels(t *testing.T) {
	m := &metadata{}
	m.harvest([]string{"（原标题：节后招聘市场升温 技能人才“一将难求”）"}, "本文来源：新京报 作者：林晓雯 责任编辑：王晓武_NN1024")
	if m.editor.val != "王晓武" || m.source.val != "新京报" || m.subtitle.val != "节后招聘市场升温 技能人才“一将难求”" {
		t.Errorf("editor %q, source %q, subtitle %q", m.editor.val, m.source.val, m.subtitle.val)
	}
	if len(m.authors) != 1 || m.authors[0] != "林晓雯" {
		t.Errorf("authors %q", m.authors)
	}

	m = &metadata{}
	m.harvest([]string{"编辑｜王静怡 审核｜陈立", "《 人民日报 》（ 2025年02月18日 13 版）"}, "")
	if m.editor.val != "王静怡" || m.source.val != "人民日报" {
		t.Errorf("editor %q, source %q", m.editor.val, m.source.val)
	}

	// Traditional labels; the stored values keep their characters.
	m = &metadata{header: []string{"聯合報／ 記者林志明／台北報導"}}
	m.harvest([]string{"責任編輯：陳怡君"}, "")
	if m.editor.val != "陳怡君" || m.source.val != "聯合報" || len(m.authors) != 1 || m.authors[0] != "林志明" {
		t.Errorf("editor %q, source %q, authors %q", m.editor.val, m.source.val, m.authors)
	}

	// Fields that inline markup ran together.
	m = &metadata{header: []string{"2月18日 上午9:15来源：江城晚报阅读：3562"}}
	m.harvest(nil, "")
	if m.source.val != "江城晚报" {
		t.Errorf("glued source %q", m.source.val)
	}

	// A byline in brackets at the start of the lead.
	m = &metadata{after: []string{"标题", "本报讯（记者 王建国 通讯员 赵丽）2月17日，市第一人民医院老年人“一站式”就医服务中心正式启用。"}}
	m.harvest(nil, "")
	if len(m.authors) != 2 || m.authors[0] != "王建国" || m.authors[1] != "赵丽" {
		t.Errorf("bracket byline authors %q", m.authors)
	}
}

func TestReadMetadataAuthorsAndPublisher(t *testing.T) {
	page := `<html><head>
<meta name="author" content="105261"><meta name="source" content="来源：人民网－人民日报">
<meta property="og:site_name" content="微信公众平台"></head><body>
<h1>长江干流省际横向生态保护补偿机制实现全覆盖</h1>
<div class="meta"><span class="rich_media_meta_nickname"><a id="js_name">姑苏融媒</a></span></div>
<div><p>记者从生态环境部获悉：截至目前，长江干流沿线11个省市已全部签订省际横向生态保护补偿协议，长江流域横向生态保护补偿机制实现干流全覆盖。</p></div>
<ul class="comments"><li><strong class="nickname">小桥流水</strong>点赞！</li></ul>
</body></html>`
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://example.com/a/1.html")
	m := readMetadata(doc, u, http.Header{})
	if len(m.authors) != 0 {
		t.Errorf("a CMS user id taken as author: %q", m.authors)
	}
	m.harvest(nil, "")
	if m.source.val != "人民网－人民日报" {
		t.Errorf("source %q", m.source.val)
	}
	if m.publisher.val != "姑苏融媒" {
		t.Errorf("publisher %q, want the account's name", m.publisher.val)
	}
}

func TestCleanNames(t *testing.T) {
	got := cleanNames([]string{"105261", "zx0176", "https://example.com/u/1", "张三", "Jane Doe", "张三"})
	if len(got) != 2 || got[0] != "张三" || got[1] != "Jane Doe" {
		t.Errorf("cleanNames = %q", got)
	}
}

func TestURLDate(t *testing.T) {
	for in, want := range map[string]string{
		"/2019/11/18/new-york-state-attorney-general/":     "2019-11-18",
		"/science-and-health/2019/11/8/20948348/delhi-air": "2019-11-08",
		"/news/20250218/sovereign-ai.html":                 "2025-02-18",
		"/story/2019-11-19/disney-plus-kevin-mayer":        "2019-11-19",
		"/2019/11/mary-steenburgen-wild-rose/":             "",
		"/article/10398.html":                              "",
	} {
		if got := urlDate(in); got != want {
			t.Errorf("urlDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDateKind(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"Posted: 18 Nov 2019 8:11 pm", datePublish},
		{"By Chris Davies - Nov 19, 2019, 10:31 pm CST", datePublish},
		{"PUBLISHED: November 19, 2019 at 8:59 pm | UPDATED: November 19, 2019 at 10:16 pm", datePublish},
		{"发布时间：2025-02-18 05:44 来源：新华网", datePublish},
		{"2025年2月18日 上午5:44", datePublish},
		{"Updated: 18 Nov 2019 9:38 pm", dateUpdate},
		{"By Umair Irfan Updated Nov 13, 2019, 10:28am EST", dateUpdate},
		{"更新时间：2025-02-19 08:00", dateUpdate},
		{"最近更新：3分钟前", dateUpdate},
		{"Updated an hour ago", dateUpdate},
		{"3小时前", dateLater},
		{"昨天 10:20", dateLater},
		{"Today 12:01 AM", dateLater},
		{"Black Friday is Next Week, But Several Deals Go Live Today", dateNone},
		{"Today, we’re going to talk about why focus is important for success.", dateNone},
		{"A look back at what happened over the past 3 days ago and what it means for the market next year", dateNone},
		{"By Eric Song, IGN Staff", dateNone},
	}
	for _, tt := range tests {
		if got := dateKind(tt.in); got != tt.want {
			t.Errorf("dateKind(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// pageDate runs the date path of Extract on a page: metadata, pre-cleaning,
// the lines around the title, the URL.
func pageDate(t *testing.T, pageURL, page string, loc *time.Location, ref time.Time) (time.Time, string) {
	t.Helper()
	u, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	m := readMetadata(doc, u, http.Header{})
	body := findElement(doc, "body")
	preClean(body, m.h1)
	m.readLines(pageLines(body))
	return firstDate(m.published, loc, ref, m.yearRef(loc, ref))
}

// TestPageDateFallback checks the publish-date fallback on pages without
// structured dates: where the date line sits, which candidate wins, and
// that Chinese pages read as before.
func TestPageDateFallback(t *testing.T) {
	sh := loadZone("Asia/Shanghai", 8)
	ref := time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC)
	refSH := time.Date(2025, 2, 20, 14, 30, 0, 0, sh)
	est := time.FixedZone("", -5*3600)
	prose := strings.Repeat("<p>The committee heard testimony for most of the day, and members asked about the timeline of events in detail. </p>", 6)
	proseZH := strings.Repeat("<p>会议听取了有关部门的情况汇报，与会人员围绕下一步工作进行了深入讨论，并对相关安排提出了具体意见和建议。</p>", 6)
	tests := []struct {
		name, url, page string
		loc             *time.Location
		ref             time.Time
		want            time.Time
		src             string
	}{
		{"date line above the headline", "https://news.example/article/sondland-faces-questions",
			`<html><body><div class="top">Nov. 20, 2019 5:52 AM EST</div><h1>Unpredictable Sondland faces questions</h1><p>By LISA MASCARO</p>` + prose + `</body></html>`,
			time.UTC, ref, time.Date(2019, 11, 20, 5, 52, 0, 0, est), srcText},
		{"h1 differs from og:title", "https://news.example/news/newsbeat-50470672",
			`<html><head><meta property="og:title" content="Taylor Swift's AMA row seems to be over"></head><body><h1>Taylor Swift is allowed to play her music at the AMAs after all</h1><p>19 November 2019</p>` + prose + `</body></html>`,
			time.UTC, ref, time.Date(2019, 11, 19, 0, 0, 0, 0, time.UTC), srcText},
		{"date inside the share bar", "https://news.example/news/world-europe-50473792",
			`<html><body><h1>Sweden drops Assange rape investigation</h1><div class="story-body__mini-info-list-and-share"><ul><li><div class="date date--v2">19 November 2019</div></li></ul><a href="https://facebook.com/share">Facebook</a></div>` + prose + `</body></html>`,
			time.UTC, ref, time.Date(2019, 11, 19, 0, 0, 0, 0, time.UTC), srcText},
		{"posted before updated", "https://news.example/articles/daily-deals",
			`<html><body><h1>Daily Deals: More Black Friday Deals Are Live</h1><p>Black Friday is Next Week, But Several Deals Go Live Today</p><p>Updated: 18 Nov 2019 9:38 pm</p><p>Posted: 18 Nov 2019 8:11 pm</p>` + prose + `</body></html>`,
			time.UTC, ref, time.Date(2019, 11, 18, 20, 11, 0, 0, time.UTC), srcText},
		{"today in a subtitle is no date", "https://news.example/articles/2019/11/18/daily-deals",
			`<html><body><h1>Daily Deals: More Black Friday Deals Are Live</h1><p>Black Friday is Next Week, But Several Deals Go Live Today</p>` + prose + `</body></html>`,
			time.UTC, ref, time.Date(2019, 11, 18, 0, 0, 0, 0, time.UTC), srcURL},
		{"url before an update", "https://news.example/science/2019/11/8/20948348/delhi-air",
			`<html><body><h1>The law that is helping fuel Delhi's deadly air pollution</h1><div class="c-byline">By Umair Irfan <span>Updated <time datetime="2019-11-13T15:28:18">Nov 13, 2019, 10:28am EST</time></span></div>` + prose + `</body></html>`,
			time.UTC, ref, time.Date(2019, 11, 8, 0, 0, 0, 0, time.UTC), srcURL},
		{"url before a relative date", "https://news.example/2019/11/20/emirates-order.html",
			`<html><body><h1>Emirates inks order for 30 Boeing 787 jets</h1><p>Updated an hour ago</p>` + prose + `</body></html>`,
			time.UTC, ref, time.Date(2019, 11, 20, 0, 0, 0, 0, time.UTC), srcURL},
		{"date line before a related story's time", "https://news.example/opinion/prince-andrew-interview",
			`<html><body><h1>In Prince Andrew's interview, the truth comes out</h1><p>| November 18, 2019 12:01 PM</p>` + prose + `<div class="more"><h5><a href="/other">Another story entirely</a></h5><time datetime="2019-11-20T00:00:32-05:00">Wednesday November 20, 2019</time></div></body></html>`,
			time.UTC, ref, time.Date(2019, 11, 18, 12, 1, 0, 0, time.UTC), srcText},
		{"comment dates come last", "https://blog.example/business-focus/",
			`<html><body><h1>Business Focus: Why Some People Triumph Online</h1>` + prose + `<ol><li><article itemscope itemtype="https://schema.org/Comment"><time datetime="2018-08-08T15:17:21-06:00" itemprop="datePublished">August 8, 2018 at 3:17 pm</time><p>Great post!</p></article></li></ol></body></html>`,
			time.UTC, ref, time.Date(2018, 8, 8, 15, 17, 21, 0, time.FixedZone("", -6*3600)), srcTime},
		{"comment date does not beat the page's", "https://blog.example/success-mindset/",
			`<html><body><h1>How to Adopt an Online Leader Success Mindset</h1><p>August 1, 2018</p>` + prose + `<ol><li><article itemscope itemtype="https://schema.org/Comment"><time datetime="2018-08-22T05:57:58-06:00" itemprop="datePublished">August 22, 2018</time></article></li></ol></body></html>`,
			time.UTC, ref, time.Date(2018, 8, 1, 0, 0, 0, 0, time.UTC), srcText},
		{"chinese publish line", "https://www.example.com.cn/news/10442.html",
			`<html><body><h1>我县举办2025年春季农业技术培训班</h1><div class="info">发布时间：2025-02-18 05:44 来源：县融媒体中心</div>` + proseZH + `</body></html>`,
			sh, refSH, time.Date(2025, 2, 18, 5, 44, 0, 0, sh), srcText},
		{"chinese publish before update", "https://www.example.com.cn/news/10443.html",
			`<html><body><h1>多地出台措施支持人工智能产业发展</h1><p>更新时间：2025-02-19 08:00</p><p>发布时间：2025年2月18日 上午5:44</p>` + proseZH + `</body></html>`,
			sh, refSH, time.Date(2025, 2, 18, 5, 44, 0, 0, sh), srcText},
		{"chinese relative", "https://www.example.com.cn/news/10444.html",
			`<html><body><h1>国家统计局：1月份CPI同比上涨0.5%</h1><p>3小时前 来源：新华网</p>` + proseZH + `</body></html>`,
			sh, refSH, refSH.Add(-3 * time.Hour), srcText},
		{"chinese yesterday", "https://www.example.com.cn/news/10445.html",
			`<html><body><h1>国家统计局：1月份CPI同比上涨0.5%</h1><p>昨天 10:20</p>` + proseZH + `</body></html>`,
			sh, refSH, time.Date(2025, 2, 19, 10, 20, 0, 0, sh), srcText},
		{"chinese without year", "https://www.example.com.cn/news/10446.html",
			`<html><body><h1>国家统计局：1月份CPI同比上涨0.5%</h1><p>02-09 09:32</p>` + proseZH + `</body></html>`,
			sh, refSH, time.Date(2025, 2, 9, 9, 32, 0, 0, sh), srcText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, src := pageDate(t, tt.url, tt.page, tt.loc, tt.ref)
			if !got.Equal(tt.want) || src != tt.src {
				t.Errorf("got %v (%s), want %v (%s)", got, src, tt.want, tt.src)
			}
		})
	}
}

// TestReadDatesUpdates checks that <time> elements labelled or classed as
// updates are kept out of the publish candidates and given as modified.
func TestReadDatesUpdates(t *testing.T) {
	page := `<html><body><h1>A headline of some length</h1><p>By A. Writer <span>Updated <time datetime="2019-11-13T15:28:18">Nov 13</time></span></p><time class="updated" datetime="2019-11-14T09:00:00Z">Nov 14</time><time class="entry-date published" datetime="2019-11-08T10:00:00Z">Nov 8</time></body></html>`
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	pd := readDates(doc, findElement(doc, "h1"))
	if len(pd.marked) != 1 || pd.marked[0].val != "2019-11-08T10:00:00Z" {
		t.Errorf("marked %v", pd.marked)
	}
	if len(pd.updated) != 2 || len(pd.times) != 0 {
		t.Errorf("updated %v, times %v", pd.updated, pd.times)
	}
}

// A writer's nickname (hCard "fn") is not the publishing account.
func TestAccountNameNotWriter(t *testing.T) {
	page := `<html><head><meta property="og:site_name" content="云帆网"></head><body>
<h1 class="entry-title">标题标题标题</h1><div class="entry-info"><a class="nickname url fn" href="/author/lin">林晓禾</a></div>
<p>正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文正文。</p></body></html>`
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://example.com/a/1.html")
	m := readMetadata(doc, u, http.Header{})
	m.harvest(nil, "")
	if m.publisher.val != "云帆网" {
		t.Errorf("publisher %q", m.publisher.val)
	}
}

func TestCleanNamesRoles(t *testing.T) {
	got := cleanNames([]string{"记者 李明", "（记者 顾城）", "评论员", "许文", "本报记者：邓晓彤", "Jane Doe", "記者 林志明"})
	want := []string{"李明", "顾城", "许文", "邓晓彤", "Jane Doe", "林志明"}
	if !slices.Equal(got, want) {
		t.Errorf("cleanNames = %q, want %q", got, want)
	}
}

func TestSplitJoined(t *testing.T) {
	got := splitJoined([]string{"Kevin Strand and Alan Whitaker", "张三、李四", "Doe, Jane", "Anna & Ben"})
	want := []string{"Kevin Strand", "Alan Whitaker", "张三", "李四", "Doe, Jane", "Anna", "Ben"}
	if !slices.Equal(got, want) {
		t.Errorf("splitJoined = %q, want %q", got, want)
	}
}

// TestRuneHead checks runeHead against the conversion it stands for, on
// texts of every width of rune and invalid bytes, at every cut around
// their length.
func TestRuneHead(t *testing.T) {
	for _, s := range []string{"", "abc", "经济改革开放", "a经\xffb\xe4\xb8c", "\xff\xfe", "𝔘𝔫x", strings.Repeat("é", 80)} {
		r := []rune(s)
		for n := 0; n <= len(r)+2; n++ {
			if got, want := runeHead(s, n), string(r[:min(len(r), n)]); got != want {
				t.Errorf("runeHead(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
}

// TestLooseMetaDateNames: a date meta whose name is written with other
// separators than the usual one (article:published:time,
// article_published_time, dc:date) is read as that name, after every
// exactly written name and before the dates of the visible text.
func TestLooseMetaDateNames(t *testing.T) {
	body := "<p>" + strings.Repeat("The council met on Tuesday and argued at length about the harbour, the schools and the roads. ", 12) + "</p>"
	for _, c := range []struct {
		name, head, want, wantMod string
	}{
		{"colon for underscore", `<meta name="article:published:time" content="2024-10-23T15:48:15+00:00"><meta name="article:modified:time" content="2024-10-23T16:00:00+00:00">`,
			"2024-10-23T15:48:15Z", "2024-10-23T16:00:00Z"},
		{"underscores", `<meta property="article_published_time" content="2024-10-23T15:48:15+00:00">`, "2024-10-23T15:48:15Z", ""},
		{"dc with a colon", `<meta name="DC:Date" content="2024-10-23T15:48:15+00:00">`, "2024-10-23T15:48:15Z", ""},
		{"exact name first", `<meta name="article:published:time" content="2024-10-22T08:00:00+00:00"><meta property="article:published_time" content="2024-10-23T15:48:15+00:00">`,
			"2024-10-23T15:48:15Z", ""},
		{"text when no meta", `<meta name="article:published:timezone" content="2024-10-22T08:00:00+00:00">`, "2024-10-23T03:48:00Z", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			page := `<html lang="en"><head><title>Harbour vote</title>` + c.head + `</head><body><article><h1>Harbour vote</h1>
<div class="date">October 23, 2024, 3:48 UTC</div>` + body + `</article></body></html>`
			opts := DefaultOptions()
			opts.Force = true
			a, err := New(opts).Extract(context.Background(), "https://news.example/2024/harbour-vote", http.Header{"Content-Type": {"text/html; charset=utf-8"}}, []byte(page))
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Published.UTC().Format(time.RFC3339); got != c.want {
				t.Errorf("published %s, want %s", got, c.want)
			}
			if c.wantMod != "" {
				if got := a.Modified.UTC().Format(time.RFC3339); got != c.wantMod {
					t.Errorf("modified %s, want %s", got, c.wantMod)
				}
			}
		})
	}
}
