package extract

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func parseBody(t *testing.T, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return findElement(doc, "body")
}

const prosePara = `<p>为进一步优化公交线网结构，方便市民乘坐地铁出行，经研究决定，自2月19日首班车起，姑苏区8条公交线路将进行优化调整。</p>`

// Script-revealed hiding: the article hidden until a script shows it is
// revealed; a hidden copy of an article that is also shown is not.
func TestPreCleanRevealsHiddenArticle(t *testing.T) {
	article := strings.Repeat(prosePara, 6)
	body := parseBody(t, `<body><h1>标题</h1><div id="js_content" style="visibility: hidden; opacity: 0;">`+article+
		`</div><div style="display:none">菜单</div><ul class="list"><li>终于把112路延长到地铁站了，以后上班不用再走十几分钟，点赞！</li></ul></body>`)
	preClean(body, nil)
	c := findByID(body, "js_content")
	if c == nil {
		t.Fatal("the hidden article was dropped")
	}
	if isHidden(c) || strings.Contains(attr(c, "style"), "opacity") {
		t.Errorf("still hidden: style %q", attr(c, "style"))
	}
	if strings.Contains(textOf(body), "菜单") {
		t.Error("a small hidden element was kept")
	}

	body = parseBody(t, `<body><h1>标题</h1><div id="shown">`+article+`</div><div id="copy" style="display:none" itemscope>`+article+`</div></body>`)
	preClean(body, nil)
	if c := findByID(body, "copy"); c != nil && !isHidden(c) {
		t.Error("a hidden copy of the shown article was revealed")
	}
}

func findByID(n *html.Node, id string) *html.Node {
	var found *html.Node
	elements(n, func(c *html.Node) bool {
		if found == nil && attr(c, "id") == id {
			found = c
		}
		return found == nil
	})
	return found
}

func TestProseBlock(t *testing.T) {
	body := parseBody(t, `<body><div id="page"><div id="art">`+strings.Repeat(prosePara, 5)+
		`</div><div id="cmt"><p>终于把112路延长到地铁站了，以后上班不用再走十几分钟，点赞！</p></div></div></body>`)
	if b := proseBlock(body); b == nil || attr(b, "id") != "art" {
		t.Errorf("proseBlock = %v", b)
	}
}

func TestMostlyDate(t *testing.T) {
	for line, want := range map[string]bool{
		"2025年02月18日05:44 | 来源：人民网－人民日报":                                                   true,
		"发布时间：2025-02-18 10:20 来源：赣州市人民政府办公室 字号：[大 中 小] 打印本页 关闭窗口":                         true,
		"广众网 • 2025年2月18日 上午5:44 • 国际":                                                     true,
		"2025年2月18日 週二 下午2:32":                                                             true,
		"sexta-feira, 22 de outubro de 2010 às 20:13":                                      true,
		"By HNN Staff | November 18, 2019 at 2:26 PM HST - Updated November 18 at 4:46 PM": true,
		"为进一步优化公交线网结构，方便市民乘坐地铁出行，经研究决定，自2月19日（周三）首班车起，姑苏区8条公交线路将进行优化调整。具体如下↓↓↓": false,
		"2月18日，北京迎来今年首场降雪":                                                   false,
		"On November 18, 2019 the company announced layoffs at three plants": false,
	} {
		if got := isDateLine(line) && mostlyDate(line); got != want {
			t.Errorf("date line %q: %v, want %v", line, got, want)
		}
	}
}

func TestNoticeAndPromptLines(t *testing.T) {
	notices := []string{
		"特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台“网易号”用户上传并发布，本平台仅提供信息存储服务。",
		"Notice: The content above (including the pictures and videos if any) is uploaded and posted by a user of NetEase Hao.",
		"郑重声明：东方财富发布此内容旨在传播更多信息，与本站立场无关，不构成投资建议。据此操作，风险自担。",
		foldZH("本網站之文字、圖片及影音，非經授權，不得轉載、公開播送或公開傳輸及利用。"),
		"姑苏融媒综合整理，转载请注明出处",
	}
	for _, l := range notices {
		if !rxNoticeLine.MatchString(l) && !rxNoticeHead.MatchString(l) {
			t.Errorf("not a notice: %q", l)
		}
	}
	if !rxEditionLine.MatchString("《 人民日报 》（ 2025年02月18日 13 版）") {
		t.Error("print-edition line not matched")
	}
	for _, l := range []string{"打开网易新闻 查看精彩图片", "点击下方名片 关注我们", "分享、点赞、在看，一键三连", "扫码下载 体验更佳"} {
		if !rxPromptLine.MatchString(l) {
			t.Errorf("not a prompt: %q", l)
		}
	}
	for _, l := range []string{
		"华东一家公募基金经理在接受记者采访时表示，投资者需警惕概念炒作带来的短期波动。",
		"03 温馨提示",
		"市民可通过“苏州公交”APP查询线路实时到站信息。",
		"该声明发布后，多家企业表示将积极配合。",
	} {
		if rxNoticeLine.MatchString(l) || rxNoticeHead.MatchString(l) || rxPromptLine.MatchString(l) || rxEditionLine.MatchString(l) {
			t.Errorf("prose taken for a notice or prompt: %q", l)
		}
	}
}

// postClean keeps a lead sentence that mentions a date, and moves
// bylines, editor lines, notices and prompts out of the body.
func TestPostCleanChinese(t *testing.T) {
	body := parseBody(t, `<body><div>
<p>江城晚报记者 孙启航 通讯员 冯晓玲 文/摄</p>
<p>为进一步优化公交线网结构，方便市民乘坐地铁出行，经研究决定，自2月19日（周三）首班车起，姑苏区8条公交线路将进行优化调整。具体如下↓↓↓</p>
<p>新开532路：起讫点为平江新城公交首末站至相门地铁站，主要途经人民路、北园路、平门路、齐门外大街等。</p>
<section><img src="a.gif"><p>点击下方名片 关注我们</p></section>
<p>编辑｜王静怡　审核｜陈立</p>
<p>責任編輯：陳怡君</p>
<p>《 人民日报 》（ 2025年02月18日 13 版）</p>
</div></body>`)
	removed, junk := postClean(body, "姑苏区8条公交线路优化调整")
	text := renderText(body)
	for _, gone := range []string{"孙启航", "关注我们", "王静怡", "陳怡君", "人民日报"} {
		if strings.Contains(text, gone) {
			t.Errorf("body keeps %q:\n%s", gone, text)
		}
	}
	if !strings.Contains(text, "自2月19日（周三）首班车起") {
		t.Errorf("lead sentence dropped:\n%s", text)
	}
	if len(junk) != 1 || hasMedia(body) {
		t.Errorf("the banner above the prompt was kept (junk %d)", len(junk))
	}
	m := &metadata{}
	m.harvest(removed, "")
	// The editor of record (责任编辑) before a plain 编辑; a labelled source
	// before the byline's outlet.
	if len(m.authors) != 2 || m.editor.val != "陳怡君" || m.source.val != "人民日报" {
		t.Errorf("from %q: authors %q, editor %q, source %q", removed, m.authors, m.editor.val, m.source.val)
	}
}

func TestImageCreditCaption(t *testing.T) {
	body := parseBody(t, `<body><section><img src="https://example.com/a.jpg"></section><section><p><span>（图源：苏州公交）</span></p></section></body>`)
	img := findElement(body, "img")
	if got := imageCaption(img); got != "（图源：苏州公交）" {
		t.Errorf("caption %q", got)
	}
}

// The next story that a page loads below its own, in an <article> with a
// headline of its own, goes; teasers without an h1 stay, and nothing goes
// when the h1 is not the page's title.
func TestDropOtherArticles(t *testing.T) {
	page := `<body><main><article id="own"><h1>Council delays budget vote</h1><p>The council met.</p></article>
<article id="teaser"><h2>Storm hits the coast</h2><p>A teaser.</p></article>
<article id="next"><h1>Storm hits the coast overnight</h1><p>The next story.</p></article></main></body>`
	for _, tc := range []struct {
		title string
		gone  []string
	}{
		{"Council delays budget vote", []string{"next"}},
		{"Something else entirely", nil},
	} {
		body := parseBody(t, page)
		var h1 *html.Node
		elements(body, func(n *html.Node) bool {
			if h1 == nil && n.Data == "h1" {
				h1 = n
			}
			return true
		})
		dropOtherArticles(body, h1, tc.title)
		for _, id := range []string{"own", "teaser", "next"} {
			gone := findByID(body, id) == nil
			want := false
			for _, g := range tc.gone {
				want = want || g == id
			}
			if gone != want {
				t.Errorf("title %q: %s gone = %v, want %v", tc.title, id, gone, want)
			}
		}
	}
}

// Newsletter boxes, subscription walls and the consent boxes that stand in
// for embedded content go before readability; a paragraph that mentions a
// newsletter stays.
func TestPreCleanBoilerPhrases(t *testing.T) {
	article := strings.Repeat(`<p>The council met on Tuesday and voted to delay its budget until March, members said after the meeting.</p>`, 6)
	for _, box := range []string{
		`<p>Sie können sich jederzeit wieder abmelden, wenn Sie das möchten.</p>`,
		`<p>Create an account or sign in to continue with your reading experience.</p>`,
		`<p>この記事は会員限定です。</p>`,
		`<p>An dieser Stelle findest du einen externen Inhalt von YouTube, der den Artikel ergänzt.</p>`,
		`<p>Um eingebettete Inhalte anzuzeigen, ist deine widerrufliche Einwilligung notwendig.</p>`,
	} {
		body := parseBody(t, `<body><h1>Council delays budget vote</h1>`+article+`<div id="box">`+box+`</div></body>`)
		preClean(body, nil)
		if findByID(body, "box") != nil {
			t.Errorf("kept %s", box)
		}
	}
	body := parseBody(t, `<body><h1>Council delays budget vote</h1>`+article+`<p id="keep">The council's newsletter will carry the new budget in March.</p></body>`)
	preClean(body, nil)
	if findByID(body, "keep") == nil {
		t.Error("dropped a paragraph that mentions a newsletter")
	}
}
