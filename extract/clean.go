package extract

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsarc/store"
)

// Boilerplate recognition. Class and id values are split into words at
// white space, '-' and '_'; a node is boilerplate when one of its words, or
// two adjacent words joined by '-', is in boilerWordSet. Pinyin abbreviations of
// Chinese CMS templates are included (xgtj 相关推荐, xgwz 相关文章, xgyd 相关阅读,
// fenxiang 分享, pinglun 评论, dianzan 点赞, ewm 二维码).
var (
	boilerWordSet = wordSet(`related relate recommend recomm comment comments commentlist respond reply replies share shares sharing sharebar social sns
		footer foot cookie cookies consent gdpr newsletter subscribe subscription sidebar sidebox widget widgets breadcrumb breadcrumbs
		crumb crumbs nav navbar navigation menu pagination pager pagenav ads adsense adbox advert advertisement banner popup modal
		xgtj xgwz xgyd xgxw xgtw tuijian hotnews paihang ranking fenxiang pinglun toolbar tags tagcloud prevnext prev next postnav
		authorbox authorinfo authorbio authorcard authorprofile aboutauthor qrcode ewm erweima like likes zan dianzan reward dashang
		print entry-page entry-bar post-nav post-navigation author-box author-info author-bio author-card about-author more-news
		more-stories read-more you-may-like skip-link`)
	// The patterns on text below are matched against foldZH text, so that
	// Traditional pages (相關新聞, 延伸閱讀, 責任編輯) match too.
	//
	// rxBlockHeading matches the heading of a boilerplate block: related
	// and recommended stories, most read, comments, share bars. Folded
	// like the text it is matched against (記事 is 记事 there).
	rxBlockHeading = regexp.MustCompile(foldZH(`^(?i:` + strings.Join(blockHeadings, "|") + `)\s*[:：]?$`))
	// rxPrevNext matches previous/next article links.
	rxPrevNext = regexp.MustCompile(`^(?i:[«‹<]?\s*(?:上一篇|下一篇|上一条|下一条|前一篇|后一篇|previous (?:post|article|story)|next (?:post|article|story)))`)
	// rxBoilerPhrase matches text found only in comment forms, cookie
	// banners, newsletter boxes, share bars, subscription walls and the
	// consent boxes that stand in for embedded content.
	rxBoilerPhrase = mustLitRegexp(foldZH(`(?i)` + strings.Join(boilerPhrases, "|")))

	// rxLabelLine matches a line that is an editorial label, not prose.
	rxLabelLine = regexp.MustCompile(`^[\s\[【(（]*(?:责任编辑|责编|值班编辑|编辑|编审|审核|审校|校对|监制|统筹|来源|稿源|稿件来源|供稿单位|供稿|文章来源|本文来源|新闻来源|信息来源|原标题|发布者|作者|记者|撰文|撰稿|通讯员|文|图|摄影|摄|(?i:sources?|editing by|edited by|reporting by|additional reporting))\s*[:：/／|｜丨]`)
	// rxNoticeLine matches reprint, copyright and disclaimer notices
	// anywhere in a line, by kind: reprint prohibitions ("非经授权，不得转载"),
	// copyright lines, investment-risk disclaimers ("不构成投资建议").
	rxNoticeLine = mustLitRegexp(`转\S{0,2}请注明|请注明出处|[未非]经.{0,12}授权|禁止转载|不得转载|经授权(?:发布|转载)|^本文(?:来自|转自|选自)|版权所有|版权声明|免责声明|本文转载自|(?i:all rights reserved|copyright)|©|` +
		`不构成(?:任何)?投资建议|据此(?:操作|投资|交易)[，,]?\s*风险自担|投资有风险[，,]\s*入市[需须]谨慎`)
	// rxNoticeHead matches the start of a notice: a notice or disclaimer
	// label (特别声明：, 郑重声明：, and "Notice:" of the English copy that
	// Chinese portals add), or an end mark ("（完）") alone.
	rxNoticeHead = regexp.MustCompile(`^(?:[\s\[【(（]*(?:特别声明|郑重声明|重要声明|法律声明|声明|特别提示|风险提示|(?i:notice|disclaimer))\s*[:：]|\s*[\[【(（]?\s*(?:完|全文完|(?i:end))\s*[\]】)）]?\s*$)`)
	// rxPromptLine matches the calls to action that apps and WeChat
	// accounts put around an article: open or download the app, follow
	// the account, tap the card, like and share. It is used on short lines
	// that are not sentences ending in "。".
	rxPromptLine = mustLitRegexp(`(?i)(?:打开|下载|安装)\S{0,10}?(?:app|客户端)|(?:打开|下载)\S{0,10}?\s*\S{0,6}\s*(?:查看|阅读|观看)|(?:app|客户端)内?\s*(?:打开|查看|阅读)|查看(?:精彩|更多|高清)?图片|点击(?:下方|上方|右上角|左下角|蓝字|名片|关注)|关注(?:我们|本号|公众号|我$)|一键三连|(?:分享|点赞|在看|转发)\S{0,2}(?:分享|点赞|在看|转发)|扫码(?:下载|关注|阅读|观看)|长按(?:识别)?二维码|^阅读原文$|尽在\S{0,12}(?:app|客户端)`)
	rxByLine     = regexp.MustCompile(`^(?:By|BY|by)\s+\p{Lu}`)
	rxReadMore   = regexp.MustCompile(`^(?i:read more|related|also read|see also|推荐阅读|相关阅读|延伸阅读|相关链接|相关新闻)\s*[:：]|^[【\[]\s*(?:推荐阅读|相关阅读|延伸阅读|相关链接|相关新闻|相关报道)\s*[】\]]`)
	// rxInlineEditorial matches an editor or source note in brackets at
	// the end of a paragraph: "……合作。（责任编辑：王五）".
	rxInlineEditorial = mustLitRegexp(`[（(【\[]\s*(?:(?:责任编辑|责编|编辑|来源|稿源)\s*[:：][^）)】\]]{1,30}|完|全文完)[）)】\]]\s*$`)
	rxSentenceEnd     = regexp.MustCompile(`[。！？.!?；;]["”’」』)）]?\s*$`)
)

// blockHeadings are the headings of boilerplate blocks, whole lines, by
// language (matched case-folded on foldZH text).
var blockHeadings = []string{
	// Chinese
	`相关推荐|相关阅读|相关文章|相关新闻|相关链接|相关报道|相关稿件|往期推荐|往期回顾|往期精彩|热门文章|热门推荐|热点推荐|热门阅读|热点新闻|热门新闻|本日热门|今日热门|24小时热门|24小时热读|猜你喜欢|推荐阅读|延伸阅读|精彩推荐|为你推荐|编辑推荐|最新文章|最新发布|发表回复|发表评论|网友评论|最新评论|评论列表|我要评论|精选留言|写留言|留言|分享到|分享`,
	// English
	`related|related (?:stories|articles|posts|news|content|reading|coverage|topics|videos)|read more|read next|read also|also read|more stories|more news|more from .{1,30}|more on this (?:story|topic)|you may also like|you might also like|recommended(?: for you| stories| reading| videos)?|leave a (?:reply|comment)|most read|most popular|most viewed|popular posts|trending|comments?|share this(?: article| story)?|further reading|editor'?s picks|don'?t miss`,
	// German
	`lesen sie auch|lesen sie mehr|mehr zum thema|zum thema|auch interessant|das könnte sie auch interessieren|das könnte sie interessieren|meistgelesen|meistgelesene artikel|am meisten gelesen|neueste artikel|weitere artikel|mehr aus dem ressort|aus dem ressort|unsere empfehlungen`,
	// French, Spanish, Portuguese, Italian
	`à lire aussi|a lire aussi|lire aussi|sur le même sujet|les plus lus|à voir aussi|articles similaires|te puede interesar|también te puede interesar|lo más leído|noticias relacionadas|lee también|leia também|leia mais|mais lidas|notícias relacionadas|veja também|leggi anche|potrebbe interessarti|ti potrebbe interessare|i più letti|articoli correlati`,
	// Dutch, Nordic, Polish, Czech, Turkish
	`lees ook|meest gelezen|gerelateerde artikelen|les også|mest lest|læs også|mest læste|läs också|läs mer|mest läst|czytaj więcej|czytaj też|czytaj także|zobacz też|zobacz także|najczęściej czytane|čtěte také|čtěte též|související články|nejčtenější|mohlo by vás zajímat|ilgili haberler|benzer haberler|en çok okunanlar|bunlar da ilginizi çekebilir`,
	// Japanese, Korean
	`関連記事|関連キーワード|関連ニュース|おすすめ記事|おすすめ情報|人気記事|あわせて読みたい|注目記事|最新記事|관련\s?기사|많이 본 뉴스|추천 기사`,
}

// boilerPhrases are the phrases of rxBoilerPhrase, by kind.
var boilerPhrases = []string{
	// comment forms, cookie banners, newsletter boxes, footers
	`邮箱地址不会被公开|电子邮件地址不会被公开|email address will not be published|使用\s*cookie|uses? cookies|accept (?:all )?cookies|subscribe to our newsletter|sign up for our newsletter|扫一扫|扫描二维码|关注微信|版权所有.{0,40}(?:备案|ICP)|ICP备`,
	`unsubscribe at any time|jederzeit (?:wieder )?abmelden|anmeldung zum newsletter|newsletter abonnieren|inscrivez-vous à (?:notre|la) newsletter|suscríbete (?:a|al) (?:nuestra|nuestro) (?:newsletter|boletín)`,
	// subscription and registration walls
	`create an account or sign in|sign in to continue|subscribe now to (?:read|continue|unlock)|already a subscriber|この記事は会員限定です|会員登録(?:が必要|すると|で)|jetzt (?:weiterlesen|abonnieren und weiterlesen)|bereits abonnent`,
	// consent boxes in place of embedded content
	`einen externen inhalt|eingebettete inhalte|externe inhalte angezeigt|daten (?:können )?an drittplattformen|personenbezogene daten (?:an|können)|this content is (?:hosted|provided) by a third party|to view this content|third[- ]party content|empfohlener redaktioneller inhalt|externen? inhalte? (?:anzeigen|laden|erlauben)|\\S+-inhalte (?:erlauben|anzeigen|laden)|ich bin damit einverstanden, dass mir (?:externe )?inhalte`,
}

// nodeStat holds rune counts (white space excluded) under an element.
type nodeStat struct {
	text    int // all text
	link    int // text inside links
	content int // text in runs of 25 or more runes outside links: prose
}

func computeStats(root *html.Node) map[*html.Node]*nodeStat {
	k := 0
	var count func(n *html.Node)
	count = func(n *html.Node) {
		if n.Type == html.ElementNode {
			k++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			count(c)
		}
	}
	count(root)
	st := make(map[*html.Node]*nodeStat, k)
	all := make([]nodeStat, 0, k) // the stats, in one allocation
	statWalk(root, false, func(n *html.Node, s nodeStat) {
		if len(all) == cap(all) {
			all = make([]nodeStat, 0, 16) // not reached: k counts every element
		}
		all = append(all, s)
		st[n] = &all[len(all)-1]
	})
	return st
}

// rootStat returns computeStats(root)[root] without the map.
func rootStat(root *html.Node) nodeStat {
	return statWalk(root, false, nil)
}

// statWalk returns the stat of n and, unless keep is nil, hands keep the
// stat of every element under n (n too).
func statWalk(n *html.Node, inLink bool, keep func(*html.Node, nodeStat)) nodeStat {
	var s nodeStat
	switch n.Type {
	case html.TextNode:
		k := 0
		for _, r := range n.Data {
			if !isSpace(r) {
				k++
			}
		}
		s.text = k
		if inLink {
			s.link = k
		} else if k >= 25 {
			s.content = k
		}
		return s
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Noscript, atom.Template:
			if keep != nil {
				keep(n, s)
			}
			return s
		case atom.A:
			inLink = inLink || hasAttr(n, "href")
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		cs := statWalk(c, inLink, keep)
		s.text += cs.text
		s.link += cs.link
		s.content += cs.content
	}
	if n.Type == html.ElementNode && keep != nil {
		keep(n, s)
	}
	return s
}

// boilerWords reports whether a class or id names a boilerplate block.
func boilerWords(n *html.Node) bool {
	for _, v := range []string{attr(n, "class"), attr(n, "id")} {
		for _, tok := range strings.Fields(v) {
			tok = strings.ToLower(tok)
			if isBoilerWord(tok) {
				return true
			}
			words := strings.FieldsFunc(tok, func(r rune) bool { return r == '-' || r == '_' })
			for i, w := range words {
				if isBoilerWord(w) || i > 0 && boilerWordSet[words[i-1]+"-"+w] {
					return true
				}
			}
		}
	}
	return false
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// isBoilerWord reports whether one lower-case class word names boilerplate;
// "related…", "recommend…", "share…" and "advert…" match as prefixes.
func isBoilerWord(w string) bool {
	if boilerWordSet[w] {
		return true
	}
	for _, p := range []string{"related", "recommend", "share", "advert"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// preClean removes boilerplate from body before readability sees it:
// elements that are boilerplate by tag, role, class or id, or by link
// density, and the blocks around boilerplate headings ("相关推荐"),
// prev/next links and comment-form or cookie phrases. An element holding
// the main heading h1 or half of the page's prose is never removed.
//
// Script-revealed hiding is undone first: a container that holds much of
// the page's prose but is styled invisible (WeChat's #js_content starts as
// "visibility: hidden; opacity: 0" until a script shows it) is made
// visible, so that neither pre-cleaning nor readability drops the article.
// Small hidden elements (menus, pop-ups, templates) stay hidden and go.
//
// It returns how much prose (nodeStat.content) the cleaned page keeps.
func preClean(body, h1 *html.Node) int {
	st := computeStats(body)
	total := st[body].content
	revealProse(body, st)
	protected := func(n *html.Node) bool {
		return contains(n, h1) || total > 0 && st[n].content*2 >= total
	}
	// climb returns the largest unprotected ancestor of n, the whole
	// boilerplate block a heading or phrase belongs to.
	// It stops below an ancestor that adds prose of its own: the heading
	// "Comments" takes the comment list with it, not the article above.
	climb := func(n *html.Node) *html.Node {
		cur := n
		for p := n.Parent; p != nil && p != body && p.Type == html.ElementNode && !protected(p); p = p.Parent {
			if st[p].content > st[cur].content+climbProse {
				break
			}
			cur = p
		}
		return cur
	}
	var drop []*html.Node
	elements(body, func(n *html.Node) bool {
		s := st[n]
		if s == nil || protected(n) {
			return true
		}
		if isBoilerplate(n, s) {
			drop = append(drop, n)
			return false
		}
		if s.text > 0 && s.text <= 400 {
			t := foldZH(textOf(n))
			if s.text <= 30 && rxBlockHeading.MatchString(t) ||
				s.text <= 200 && rxPrevNext.MatchString(t) ||
				!hasBlockChild(n) && rxBoilerPhrase.MatchString(t) {
				drop = append(drop, climb(n))
				return false
			}
		}
		return true
	})
	kept := total
	for _, n := range drop {
		kept -= st[n].content
		detach(n)
	}
	return max(kept, 0)
}

// dropOtherArticles removes the other stories a page carries beside its
// own: an <article> element (or role=article) outside the one holding the
// main heading h1 that has a headline h1 of its own, with other words. A
// page that loads the next story as the reader scrolls prints it so, whole,
// after the article; teasers and comments have no h1. Only an h1 that
// says the page's title is sure to be the page's own headline (a dialog's
// h1 may be the first on the page).
func dropOtherArticles(body, h1 *html.Node, title string) {
	if h1 == nil || !echoesTitle(textOf(h1), title) {
		return
	}
	main := squeeze(textOf(h1))
	var drop []*html.Node
	elements(body, func(n *html.Node) bool {
		if contains(n, h1) || contains(h1, n) {
			return true
		}
		if n.DataAtom != atom.Article && strings.ToLower(attr(n, "role")) != "article" {
			return true
		}
		other := findElement(n, "h1")
		if other == nil {
			return true
		}
		if t := squeeze(textOf(other)); runeLen(t) >= 10 && t != main {
			drop = append(drop, n)
			return false
		}
		return true
	})
	for _, n := range drop {
		detach(n)
	}
}

// isHidden reports whether n is hidden by an attribute or inline style.
func isHidden(n *html.Node) bool {
	return hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true" || rxHiddenStyle.MatchString(attr(n, "style"))
}

// reveal makes n visible: it drops the hidden and aria-hidden attributes
// and the hiding declarations of its inline style.
func reveal(n *html.Node) {
	attrs := n.Attr[:0]
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden", "aria-hidden":
			continue
		case "style":
			a.Val = rxHideDecl.ReplaceAllString(a.Val, "")
		}
		attrs = append(attrs, a)
	}
	n.Attr = attrs
}

// revealProse undoes script-revealed hiding (st holds body's stats): a
// hidden element that holds a third of the page's prose, and twice as much
// as all visible elements together, is the article waiting for a script
// to show it (WeChat's #js_content starts as "visibility: hidden; opacity:
// 0"). A hidden copy of an article that is also shown (schema.org
// microdata blocks) stays hidden, and so do small hidden elements: menus,
// pop-ups, templates.
func revealProse(body *html.Node, st map[*html.Node]*nodeStat) {
	total := st[body].content
	if total == 0 {
		return
	}
	var hidden []*html.Node
	hiddenProse := 0
	elements(body, func(n *html.Node) bool {
		if s := st[n]; s == nil || s.content == 0 {
			return false
		}
		if isHidden(n) {
			hidden = append(hidden, n)
			hiddenProse += st[n].content
			return false
		}
		return true
	})
	visible := total - hiddenProse
	for _, n := range hidden {
		if c := st[n].content; c*3 >= total && c >= 2*visible {
			reveal(n)
			// Hidden elements inside it are judged on their own.
			revealInside(n, st, c)
		}
	}
}

// revealInside reveals the hidden elements under n that hold half of its
// prose (total).
func revealInside(n *html.Node, st map[*html.Node]*nodeStat, total int) {
	elements(n, func(c *html.Node) bool {
		s := st[c]
		if s == nil || s.content*2 < total {
			return false
		}
		if isHidden(c) {
			reveal(c)
		}
		return true
	})
}

// climbProse is how much prose (in runes) a boilerplate block may hold
// besides its heading.
const climbProse = 150

func isBoilerplate(n *html.Node, s *nodeStat) bool {
	switch n.DataAtom {
	case atom.Nav, atom.Footer, atom.Aside, atom.Form, atom.Textarea, atom.Select, atom.Button,
		atom.Iframe, atom.Dialog, atom.Input, atom.Script, atom.Style, atom.Template:
		return true
	}
	switch strings.ToLower(attr(n, "role")) {
	case "navigation", "complementary", "contentinfo", "dialog", "alertdialog", "search", "menu", "menubar":
		return true
	}
	if hasAttr(n, "hidden") || rxHiddenStyle.MatchString(attr(n, "style")) {
		return true
	}
	if boilerWords(n) {
		return true
	}
	switch n.DataAtom {
	case atom.Div, atom.Section, atom.Ul, atom.Ol, atom.Dl, atom.Table, atom.P, atom.Header:
		return s.text >= 10 && s.link*10 >= s.text*6
	}
	return false
}

var (
	rxHiddenStyle = regexp.MustCompile(`(?i)display\s*:\s*none|visibility\s*:\s*hidden`)
	// rxHideDecl matches the declarations of an inline style that hide
	// an element.
	rxHideDecl = regexp.MustCompile(`(?i)(?:display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0+)?)\s*(?:!\s*important)?\s*(?:;|$)`)
)

// hasBlockChild reports whether n has a block element below it.
func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (isBlock(c) || hasBlockChild(c)) {
			return true
		}
	}
	return false
}

// pageLines returns the visible lines of the (pre-cleaned) page. Two
// inline elements side by side are read with a space between them, so
// that a label line's fields stay apart: <span>来源：江城晚报</span><span>阅读：
// 3562</span> is "来源：江城晚报 阅读：3562", not "来源：江城晚报阅读：3562".
// The page itself is left as it was.
func pageLines(body *html.Node) []string {
	var added []*html.Node
	elements(body, func(n *html.Node) bool {
		if next := n.NextSibling; next != nil && next.Type == html.ElementNode && !isBlock(n) && !isBlock(next) &&
			n.DataAtom != atom.Br && next.DataAtom != atom.Br {
			sp := &html.Node{Type: html.TextNode, Data: " "}
			n.Parent.InsertBefore(sp, next)
			added = append(added, sp)
		}
		return true
	})
	lines := strings.Split(renderText(body), "\n\n")
	for _, sp := range added {
		detach(sp)
	}
	return lines
}

// postClean removes from readability's output what is not body text:
// editorial lines (责任编辑, 来源, 作者 lines, bylines, reprint, copyright
// and disclaimer notices, print-edition lines, (完)), app and follow
// prompts, captions and headings that repeat the title, date lines at the
// top and empty leftovers. It returns the removed lines, which carry
// metadata, and the prompt blocks it dropped.
func postClean(root *html.Node, title string, subtitles ...string) (removed []string, junk []*html.Node) {
	fixAtoms(root)
	dropBlocks(root)
	// Bracketed editor/source notes at the end of a paragraph.
	var walkText func(*html.Node)
	walkText = func(n *html.Node) {
		if n.Type == html.TextNode {
			if loc := rxInlineEditorial.FindStringIndex(foldZH(n.Data)); loc != nil {
				removed = append(removed, n.Data[loc[0]:loc[1]])
				n.Data = n.Data[:loc[0]]
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walkText(c)
		}
	}
	walkText(root)

	// Furniture in an inline element of its own inside a paragraph: the
	// forum's "<i>本帖最后由 … 编辑</i>".
	var furniture []*html.Node
	elements(root, func(n *html.Node) bool {
		if n == root || isBlock(n) || n.DataAtom == atom.Img {
			return true
		}
		if t := textOf(n); t != "" && runeLen(t) <= 60 && !hasMedia(n) && rxFurnitureLine.MatchString(foldZH(t)) {
			furniture = append(furniture, n)
			return false
		}
		return true
	})
	for _, n := range furniture {
		if rxFurnitureKeep.MatchString(foldZH(textOf(n))) {
			removed = append(removed, textOf(n))
		}
		detach(n)
	}

	var leaves []*html.Node
	elements(root, func(n *html.Node) bool {
		if hasBlockChild(n) {
			return true
		}
		if isBlock(n) || n.DataAtom == atom.Span || n.DataAtom == atom.Font || n.DataAtom == atom.Strong {
			leaves = append(leaves, n)
			return false
		}
		return true
	})
	lead := 0
	for _, n := range leaves {
		t := textOf(n)
		if t == "" {
			continue
		}
		lead++
		c := lineCtx{n: n, t: t, f: foldZH(t), runes: runeLen(t), lead: lead, title: title, subtitles: subtitles}
		r := matchLine(&c)
		if r == nil {
			continue
		}
		switch r.action {
		case harvestField:
			removed = append(removed, fieldText(n))
			detach(n)
		case harvestText:
			removed = append(removed, t)
			detach(n)
		case dropLine:
			if r.keep != nil && r.keep.MatchString(c.f) {
				removed = append(removed, t) // "最近更新：…": an update date
			}
			detach(n)
		case dropWithMediaLine:
			junk = append(junk, dropWithMedia(n))
		}
	}
	dropPullQuotes(leaves)
	// Trailing leaves without words: like counters, "(0)", separators.
	for i := len(leaves) - 1; i >= 0; i-- {
		n := leaves[i]
		if n.Parent == nil || !contains(root, n) {
			continue
		}
		t := textOf(n)
		if t == "" && hasMedia(n) {
			break
		}
		if letterCount(t) >= 2 {
			break
		}
		detach(n)
	}
	removeEmpty(root)
	return removed, junk
}

// echoesSubtitle reports whether t repeats one of the subtitles, exactly
// or but for punctuation and spacing.
func echoesSubtitle(t string, subtitles []string) bool {
	nt := squeeze(t)
	if runeLen(nt) < 6 {
		return false
	}
	for _, s := range subtitles {
		if ns := squeeze(s); ns == nt {
			return true
		}
	}
	return false
}

// rxFollowLine matches, on foldZH text, a whole line of a "follow us" box:
// "关注云溪融媒", "微信公众号", "扫一扫", "下载“云溪”客户端". rxFollowStrong
// matches the forms that say so on their own; "关注XX" alone counts only
// beside a picture (the QR code).
var (
	rxFollowLine   = regexp.MustCompile(`(?i)^(?:(?:请|欢迎)?关注\S{2,12}|(?:官方)?(?:微信)?公众号|官方(?:微信|微博|抖音|视频号)|\S{0,6}(?:扫码|扫一扫)\S{0,12}|(?:下载|打开)\S{0,12}(?:客户端|app))$`)
	rxFollowStrong = regexp.MustCompile(`(?i)公众号|扫码|扫一扫|客户端|app|二维码`)
)

// isFollowLine reports whether the short leaf n (with foldZH text f) is a
// line of a "follow us" box.
func isFollowLine(n *html.Node, f string) bool {
	f = strings.TrimSpace(f)
	if !rxFollowLine.MatchString(f) {
		return false
	}
	if rxFollowStrong.MatchString(f) {
		return true
	}
	for p, i := n.Parent, 0; p != nil && i < 2; p, i = p.Parent, i+1 {
		if hasMedia(p) {
			return true
		}
	}
	return false
}

// dropPullQuotes removes the pull quotes among leaves: a blockquote (or an
// element whose class names a quote) or a short paragraph whose text,
// ignoring punctuation, is already part of a longer paragraph.
func dropPullQuotes(leaves []*html.Node) {
	type leaf struct {
		n  *html.Node
		sq string
		rl int // runeLen(sq)
	}
	var live []leaf
	for _, n := range leaves {
		if n.Parent != nil {
			sq := squeeze(textOf(n))
			live = append(live, leaf{n, sq, runeLen(sq)})
		}
	}
	for _, c := range live {
		rl := c.rl
		quote := false
		for p, i := c.n, 0; p != nil && i < 3; p, i = p.Parent, i+1 {
			if p.DataAtom == atom.Blockquote || strings.Contains(strings.ToLower(attr(p, "class")), "quote") {
				quote = true
				break
			}
		}
		if rl > 80 || quote && rl < 6 || !quote && (rl < 12 || c.n.DataAtom != atom.P) {
			continue
		}
		for _, o := range live {
			if o.n != c.n && o.n.Parent != nil && o.rl >= rl+6 && strings.Contains(o.sq, c.sq) {
				detach(c.n)
				break
			}
		}
	}
}

var (
	// rxFurnitureLine matches, on foldZH text, short lines of page
	// furniture that readability keeps: ad labels, video player
	// placeholders, live-blog status lines, forum edit stamps.
	rxFurnitureLine = mustLitRegexp(`^(?:广告|推广|赞助|(?i:ad|ads|advertisement|sponsored))$|视频加载中|请稍候\.*$|您的浏览器不支持|播放器(?:加载|初始化|正在)|^(?:直播中|正在直播|实时更新|滚动更新|(?i:live))$|^(?:直播中\s*[·•|｜]?\s*)?最近更新\s*[:：]|^本帖最后由\s*\S.{0,30}?于\s*.{0,30}编辑$`)
	// rxFurnitureKeep matches the furniture lines that carry metadata.
	rxFurnitureKeep = regexp.MustCompile(`最近更新\s*[:：]`)
	// rxPagingWord matches a word of a pagination bar.
	rxPagingWord = regexp.MustCompile(`^(?:上一页|下一页|上页|下页|前一页|后一页|首页|末页|尾页|第\d+页|共\d+页|\d+/\d+|[«»‹›<>]+|…|\.\.\.|(?i:prev|previous|next|first|last|page))$`)
)

// isPagingLine reports whether t (foldZH text) is a pagination bar: short
// words made of page numbers and paging words ("上一页 1 2 3 下一页", "第1页
// 共3页"), at least one of them a paging word.
func isPagingLine(t string) bool {
	words := strings.Fields(strings.NewReplacer("[", " ", "]", " ", "|", " ", "｜", " ").Replace(t))
	paging := 0
	for _, w := range words {
		switch {
		case rxPagingWord.MatchString(w):
			if w[0] < '0' || w[0] > '9' {
				paging++
			}
		case countDigits(w) == len(w):
		default:
			return false
		}
	}
	return paging > 0 && len(words) <= 20
}

// isRelativeByline reports whether t is a short byline with a relative
// date: "林溪·昨天 13:44", "张三 3小时前".
func isRelativeByline(t string) bool {
	return runeLen(t) <= 30 && !rxClauseEnd.MatchString(t) && (rxAgoZH.MatchString(t) || rxDayWord.MatchString(t) && rxClockAny.MatchString(t))
}

// dropWithMedia removes the leaf n and, when what is left of its block is
// only media (the animated "follow us" banner above a prompt), that too.
// It returns what it removed.
func dropWithMedia(n *html.Node) *html.Node {
	p := n.Parent
	detach(n)
	for p != nil && p.Type == html.ElementNode && !isBlock(p) {
		p = p.Parent
	}
	if p != nil && p.Parent != nil && hasMedia(p) && letterCount(textOf(p)) == 0 {
		detach(p)
		return p
	}
	return n
}

var (
	// captionWordSet names the class words of captions and galleries.
	captionWordSet = wordSet(`caption captions figcaption credit credits photo-credit image-credit gallery slideshow carousel lightbox slider`)
	// rxCaptionLine matches a caption or photo credit line: "… (Image:
	// GETTY)", "…Credit: EPA", "Photo: AP", "Image 2 of 5", "1of4 …".
	rxCaptionLine = mustLitRegexp(`(?i)[(（]\s*(?:image|photo|picture|pic|credit|foto|photograph)s?\s*(?:credit)?\s*[:：][^)）]{1,80}[)）]\s*$|\bcredit\s*:\s*\S[^.。]{0,80}$|^(?:photo|image|picture|foto)\s*(?:credit)?\s*:|^(?:image|photo|slide)\s+\d+\s+of\s+\d+$|^\d+\s*of\s*\d+\S|^图[为片]?\s*[:：]|[(（]\s*(?:图|摄影?|图片来源|图源|图片)\s*[:：/][^)）]{1,40}[)）]\s*$`)
)

// rxCaptionZH matches a short Chinese caption line: "图为…", "……新华社发",
// "……记者张三摄", "（资料图）".
// Credit forms at the end: "……（图/张三）", "……摄影：李四", "图片来源：视觉中国".
var rxCaptionZH = mustLitRegexp(`^[\s【\[(（]*图[为片示]|(?:新华社|中新社|人民网|供图|资料图|配图|发|摄)\s*[)）\]】]?\s*$|(?:^|[\s（(【\[。])(?:图|摄影|图片|图源|图片来源|摄)\s*[:：/／|｜]\s*[^\s，。：:]{1,16}\s*[)）\]】]?\s*$`)

// dropBlocks removes from readability's output what it kept of captions,
// galleries and link lists: figcaptions, elements whose class names a
// caption or gallery, and blocks whose text is mostly links (teasers of
// other articles). A block holding half of the text stays.
func dropBlocks(root *html.Node) {
	st := computeStats(root)
	total := st[root].text
	var drop []*html.Node
	elements(root, func(n *html.Node) bool {
		s := st[n]
		if s == nil || total > 0 && s.text*2 >= total {
			return true
		}
		switch {
		case n.DataAtom == atom.Figcaption, hasWord(n, captionWordSet):
			drop = append(drop, n)
			return false
		}
		switch n.DataAtom {
		case atom.Div, atom.Section, atom.Ul, atom.Ol, atom.Dl, atom.Table, atom.P, atom.Aside, atom.Article:
			if s.text >= 20 && s.link*10 >= s.text*6 {
				drop = append(drop, n)
				return false
			}
		}
		return true
	})
	for _, n := range drop {
		detach(n)
	}
}

// hasWord reports whether one of n's class or id words is in set.
func hasWord(n *html.Node, set map[string]bool) bool {
	for _, v := range []string{attr(n, "class"), attr(n, "id")} {
		for _, tok := range strings.Fields(strings.ToLower(v)) {
			if set[tok] {
				return true
			}
			for _, w := range strings.FieldsFunc(tok, func(r rune) bool { return r == '-' || r == '_' }) {
				if set[w] {
					return true
				}
			}
		}
	}
	return false
}

// fixAtoms sets DataAtom from Data: readability renames elements
// (div to p) without updating it.
func fixAtoms(n *html.Node) {
	if n.Type == html.ElementNode {
		n.DataAtom = atom.Lookup([]byte(n.Data))
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		fixAtoms(c)
	}
}

// isDateLine reports whether t is a date, possibly with source or author
// labels, rather than prose. A numeric date with a two-digit year
// ("11/19/19") counts only with a time of day.
func isDateLine(t string) bool {
	if rxYMD.MatchString(t) || rxMonthDay.MatchString(t) || rxNumMD.MatchString(t) || rxMDY.MatchString(t) || rxDMY.MatchString(t) {
		return true
	}
	m := rxNumDMY.FindStringSubmatchIndex(t)
	return m != nil && (m[9]-m[8] == 4 || rxClockAny.MatchString(t))
}

// mostlyDate reports whether a date and the labels around it (发布时间,
// 来源, 作者, 字号, 阅读, a weekday) make up most of t: "2025-02-18 10:20
// 来源：新华社" is a date line, "自2月19日（周三）首班车起，……" a sentence
// that mentions a date. Besides the date and the labels with their values,
// eight Chinese characters (or half of them) may stay, but no clause
// punctuation (，。), and three words of other languages ("sexta-feira, 22
// de outubro de 2010 às 20:13", "smithsonian.com November 18, 2019").
func mostlyDate(t string) bool {
	f := foldZH(t)
	han, _ := hanWords(f)
	for _, rx := range dateParts {
		f = rx.ReplaceAllString(f, " ")
	}
	restHan, restWords := hanWords(f)
	return restHan <= max(8, han/2) && restWords <= 3 && !strings.ContainsAny(f, "，。；！？")
}

// hanWords counts the Han characters of s and its other words: runs of
// three or more letters ("at", "de" and numbers do not count).
func hanWords(s string) (han, words int) {
	run := 0
	for _, r := range s + " " {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.IsLetter(r):
			run++
			continue
		}
		if run >= 3 {
			words++
		}
		run = 0
	}
	return han, words
}

// dateParts are what mostlyDate takes out of a date line.
var dateParts = []*regexp.Regexp{rxYMD, rxMDY, rxDMY, rxNumDMY, rxMonthDay, rxNumMD, rxClockAny, rxWeekday,
	regexp.MustCompile(`(?i)(?:发布时间|发布日期|发表时间|更新时间|时间|日期|发布|来源|稿源|文章来源|本文来源|作者|记者|编辑|责任编辑|责编|通讯员|字号|字体|阅读|浏览|点击|评论|published|posted|updated|by)\s*[:：]?\s*[^\s|｜丨]{0,20}|打印本页|关闭窗口|打印|关闭|收藏|纠错|[大中小]`),
}

// echoesTitle reports whether t repeats the title or a leading part of it,
// as image captions and leftover headings do.
func echoesTitle(t, title string) bool {
	nt, ntitle := squeeze(t), squeeze(title)
	if runeLen(nt) < 6 || ntitle == "" {
		return false
	}
	return strings.HasPrefix(ntitle, nt) || strings.HasPrefix(nt, ntitle) && runeLen(nt) <= runeLen(ntitle)+4
}

// squeeze keeps only letters and digits, lower-cased. ASCII is read a byte
// at a time without the unicode tables (it is most of the text of English
// pages and the markup-free digits of Chinese ones).
func squeeze(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				b.WriteByte(c)
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func countMedia(n *html.Node) int {
	k := 0
	elements(n, func(c *html.Node) bool {
		if c.DataAtom == atom.Img {
			k++
		}
		return true
	})
	return k
}

func hasMedia(n *html.Node) bool {
	if n.Type == html.ElementNode {
		switch n.DataAtom {
		case atom.Img, atom.Picture, atom.Video, atom.Audio, atom.Iframe, atom.Svg, atom.Object, atom.Embed, atom.Math:
			return true
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasMedia(c) {
			return true
		}
	}
	return false
}

// removeEmpty removes elements with neither text nor media below them.
func removeEmpty(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode {
			removeEmpty(c)
			switch c.DataAtom {
			case atom.Br, atom.Hr, atom.Td, atom.Th, atom.Tr:
			default:
				if !hasMedia(c) && (c.FirstChild == nil || !hasText(c)) {
					detach(c)
				}
			}
		}
		c = next
	}
}

// listItems finds the largest group of same-tag siblings under root that
// look like list entries: each holds a title link standing on its own line
// near its start (plus, usually, an excerpt and a date). It returns the
// group's size and text length, and root's text length.
func listItems(root *html.Node) (items, itemText, total int) {
	st := computeStats(root)
	total = st[root].text
	check := func(parent *html.Node) {
		count := map[string]int{}
		text := map[string]int{}
		for c := parent.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			s := st[c]
			if s == nil || s.text < 10 || s.text > 1000 || !hasTitleLink(c, st) {
				continue
			}
			count[c.Data]++
			text[c.Data] += s.text
		}
		for tag, k := range count {
			if k > items || k == items && text[tag] > itemText {
				items, itemText = k, text[tag]
			}
		}
	}
	check(root)
	elements(root, func(n *html.Node) bool { check(n); return true })
	return items, itemText, total
}

// hasTitleLink reports whether item starts with a link of five or more
// characters that stands alone in its block, the way a list entry's title
// does and an inline link in prose does not.
func hasTitleLink(item *html.Node, st map[*html.Node]*nodeStat) bool {
	before := 0
	var found bool
	var walk func(n *html.Node) bool // false stops
	walk = func(n *html.Node) bool {
		if n.Type == html.TextNode {
			for _, r := range n.Data {
				if !isSpace(r) {
					before++
				}
			}
			return before <= 40
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.A && hasAttr(n, "href") {
			if s := st[n]; s != nil && s.text >= 5 {
				// The link's block: its nearest block ancestor inside
				// item, or item itself (when the link is the item, or
				// no block stands between them).
				blk := item
				for p := n.Parent; n != item && p != nil && p != item; p = p.Parent {
					if isBlock(p) {
						blk = p
						break
					}
				}
				bs := st[blk]
				if blk == item && s.text*10 >= bs.text*4 || blk != item && s.text*10 >= bs.text*8 {
					found = true
				}
				return false
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	walk(item)
	return found
}

// checkArticle returns a wrapped ErrNotArticle when the extracted content
// (node, its text) or the cleaned page (body) looks like a list page, is
// too short, or is mostly links.
func (e *Extractor) checkArticle(node, body *html.Node, text string, m *metadata, ev pageEvidence) error {
	minItems, minShare := 4, 50 // percent of the text in list items
	switch {
	case m.isArticle:
		minItems, minShare = 6, 70
	case m.listHint != "":
		minItems, minShare = 3, 40
	}
	// A story told in bullets, each led by a link, looks like a list to
	// listItems; a page that calls itself an article, at a URL naming one
	// item and without teaser blocks, is taken at its word.
	roots := []*html.Node{node, body}
	if m.isArticle && ev.TeaserBlocks < 3 && ev.URLSlug {
		roots = nil
	}
	for _, root := range roots {
		items, itemText, total := listItems(root)
		// A short list (a new section with two or three entries) counts
		// when nearly all its text is entries and nothing says article.
		short := !m.isArticle && items >= 2 && total > 0 && itemText*100 >= total*80
		if short || items >= minItems && total > 0 && itemText*100 >= total*minShare {
			reason := fmt.Sprintf("list page: %d entries hold %d%% of the text", items, itemText*100/total)
			if m.listHint != "" {
				reason += " (" + m.listHint + ")"
			}
			return fmt.Errorf("%w: %s", ErrNotArticle, reason)
		}
	}
	minLen := e.opts.MinTextLen
	if m.isArticle {
		minLen /= 3
	}
	if w := textWeight(text); w < minLen {
		return fmt.Errorf("%w: body too short (%d < %d)", ErrNotArticle, w, minLen)
	}
	st := rootStat(node)
	if st.text > 0 && st.link*2 > st.text {
		return fmt.Errorf("%w: link density %d%%", ErrNotArticle, st.link*100/st.text)
	}
	return nil
}

// bodyImages lists the images of the extracted body with their captions: a
// figure's figcaption, or a short line right after the image's paragraph
// (a paragraph, or a block that is a photo credit); and their nodes.
func bodyImages(root *html.Node, base *url.URL) ([]store.Image, []*html.Node) {
	var out []store.Image
	var nodes []*html.Node
	seen := map[string]bool{}
	elements(root, func(n *html.Node) bool {
		if n.DataAtom != atom.Img {
			return true
		}
		src := imageSrc(n)
		if src == "" {
			return false
		}
		if w, h := attr(n, "width"), attr(n, "height"); (w == "1" || h == "1" || w == "0" || h == "0") && src == attr(n, "src") {
			return false
		}
		abs := resolve(base, src)
		if abs == "" || seen[abs] {
			return false
		}
		seen[abs] = true
		caption := imageCaption(n)
		if isWidgetImage(n, abs, caption) {
			return false
		}
		if rxCoverCredit.MatchString(foldZH(caption)) {
			caption = "" // "封面来源｜视觉中国" credits the cover, it does not caption this picture
		}
		out = append(out, store.Image{URL: abs, Caption: caption})
		nodes = append(nodes, n)
		return false
	})
	return out, nodes
}

// Images that are not the article's: QR codes of "follow us" boxes, and
// the quote charts and tickers that finance portals put in the body.
var (
	rxQRImage     = regexp.MustCompile(`(?i)(?:^|[/_.\-])(?:qr|qrcode|qr_?code|erweima|ewm)(?:[/_.\-]|\d|$)|二维码|公众号|客户端|扫码|扫一扫`)
	rxChartImage  = regexp.MustCompile(`(?i)/newchart/|kline|(?:^|[/_.\-])(?:quotes?|hq|stockchart|minchart|timechart)(?:[/_.\-]|$)`)
	rxWidgetClass = regexp.MustCompile(`(?i)hqimg|(?:^|[\s_\-])hq(?:[\s_\-]|$)|quote|ticker|kline|stock[_\-]?(?:chart|price|quote)`)
)

// isWidgetImage reports whether the body image img (at src, captioned
// caption) is a QR code or a stock-quote chart: by its address, its alt
// text and caption, or a quote or ticker widget around it.
func isWidgetImage(img *html.Node, src, caption string) bool {
	path := src
	if u, err := url.Parse(src); err == nil {
		path = u.Path
	}
	if rxQRImage.MatchString(path) || rxChartImage.MatchString(path) {
		return true
	}
	if alt := attr(img, "alt") + " " + attr(img, "title") + " " + caption; rxQRImage.MatchString(foldZH(alt)) || strings.Contains(alt, "分时图") || strings.Contains(alt, "K线图") {
		return true
	}
	for p, i := img.Parent, 0; p != nil && i < 4; p, i = p.Parent, i+1 {
		if rxWidgetClass.MatchString(attr(p, "class") + " " + attr(p, "id")) {
			return true
		}
	}
	return false
}

// rxCoverCredit matches a credit line for the cover or header picture:
// "封面来源｜视觉中国", "题图来源：…", "头图来自…".
var rxCoverCredit = regexp.MustCompile(`^[\s【\[(（]*(?:封面|题图|头图)(?:图片)?(?:来源|来自|图源)?\s*[:：|｜丨/／]`)

// lazySrcAttrs are the attributes that lazy loaders and forum software
// keep an image's real address in, best first.
var lazySrcAttrs = []string{"data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-url", "zoomfile", "file", "data-srcset", "srcset"}

// imageSrc returns the address of an img element's picture: its src,
// unless that is empty or a placeholder (isPlaceholderSrc), in which case
// the first lazy-loading attribute that holds a real address (lazySrcAttrs;
// from a srcset, its first candidate). "" when there is none.
func imageSrc(n *html.Node) string {
	src := strings.TrimSpace(attr(n, "src"))
	if src != "" && !isPlaceholderSrc(src) {
		return src
	}
	for _, k := range lazySrcAttrs {
		v := strings.TrimSpace(attr(n, k))
		if strings.HasSuffix(k, "srcset") {
			v, _, _ = strings.Cut(v, ",")
			v, _, _ = strings.Cut(strings.TrimSpace(v), " ")
		}
		if v != "" && !isPlaceholderSrc(v) {
			return v
		}
	}
	return ""
}

// isPlaceholderSrc reports whether an image address is a placeholder that
// a script replaces: a data: URI, or a small gif or png named for what it
// is (blank.gif, none.gif, spacer.gif, loading.png, grey.gif, lazy.png,
// 1x1.gif, pixel.gif).
func isPlaceholderSrc(src string) bool {
	if strings.HasPrefix(src, "data:") {
		return true
	}
	if i := strings.IndexAny(src, "?#"); i >= 0 {
		src = src[:i]
	}
	name := strings.ToLower(src[strings.LastIndexByte(src, '/')+1:])
	return rxPlaceholderName.MatchString(name)
}

var rxPlaceholderName = regexp.MustCompile(`^(?:[a-z]+[-_])?(?:blank|none|spacer|space|placeholder|placehold|loading|loader|grey|gray|lazy|lazyload|default|pixel|transparent|trans|empty|1x1|dot|clear|clearpixel)(?:[-_][a-z0-9]+)?\.(?:gif|png|svg)$`)

// keptImages returns the images whose nodes are not in junk, the blocks
// that post-cleaning dropped as prompts: the banner above "点击下方名片
// 关注我们" is not the article's.
func keptImages(images []store.Image, nodes, junk []*html.Node) []store.Image {
	if len(junk) == 0 {
		return images
	}
	var out []store.Image
next:
	for i, im := range images {
		for _, j := range junk {
			if contains(j, nodes[i]) {
				continue next
			}
		}
		out = append(out, im)
	}
	return out
}

func imageCaption(img *html.Node) string {
	for p := img.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Figure {
			if fc := findElement(p, "figcaption"); fc != nil {
				return textOf(fc)
			}
			return ""
		}
	}
	blk := img.Parent
	for blk != nil && !isBlock(blk) {
		blk = blk.Parent
	}
	if blk == nil {
		return ""
	}
	if t := textOf(blk); t != "" { // the image and its caption in one block
		if runeLen(t) <= 80 && countMedia(blk) == 1 {
			return t
		}
		return ""
	}
	next := nextElement(blk)
	if next == nil && blk.DataAtom == atom.Td && blk.Parent != nil && blk.Parent.DataAtom == atom.Tr {
		// A layout table: the picture in one row, its caption in the next.
		if tr := nextElement(blk.Parent); tr != nil && tr.DataAtom == atom.Tr && countChildElements(tr) == 1 {
			next = tr.FirstChild
			for next != nil && next.Type != html.ElementNode {
				next = next.NextSibling
			}
		}
	}
	if next == nil || !isBlock(next) || hasMedia(next) {
		return ""
	}
	t := textOf(next)
	if rl := runeLen(t); rl == 0 || rl > 60 || rxSentenceEnd.MatchString(t) {
		return ""
	}
	// A paragraph, or any block that is a credit ("（图源：苏州公交）").
	if f := foldZH(t); next.DataAtom != atom.P && !rxCaptionZH.MatchString(f) && !rxCaptionLine.MatchString(f) {
		return ""
	}
	return t
}

// nextElement returns the element after n among its siblings, or nil.
func nextElement(n *html.Node) *html.Node {
	next := n.NextSibling
	for next != nil && next.Type != html.ElementNode {
		next = next.NextSibling
	}
	return next
}

// countChildElements counts the element children of n.
func countChildElements(n *html.Node) int {
	k := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			k++
		}
	}
	return k
}

func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := base.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.String()
}
