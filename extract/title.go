package extract

// Titles: the headline among og:title, JSON-LD headline, h1 and <title>,
// and the site names and section suffixes stripped from it.

import (
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// titleSources are the titles a page declares.
type titleSources struct {
	og, meta, ld, doc string // og:title, twitter:title, JSON-LD headline, <title>
}

// readTitle sets the title, the main heading and its text. The title is
// the first of og:title, twitter:title, the JSON-LD headline, the h1 and
// <title> that is left once site names and suffixes are cut, with these
// corrections toward the visible headline:
//   - a JSON-LD headline that the main h1 shows beats an og:title that
//     it does not (og:title is often a sharing title);
//   - with no h1 on the page but one in a breadcrumb or sticky bar, the
//     JSON-LD headline goes first (such pages draw the headline in script);
//   - the h1 beats a title that only adds a suffix to it;
//   - a short CJK label before the h1 ("实时更新丨") is dropped, and so is a
//     site prefix ("江淮日报数字报-").
func (m *metadata) readTitle(gq *goquery.Document, ts titleSources) {
	h1, crumb := mainHeading(gq, ts.og+" "+ts.doc+" "+ts.ld, m.siteNames)
	m.h1 = h1
	h1Text := ""
	if h1 != nil {
		h1Text = textOf(h1)
	}
	m.h1Text = h1Text
	keep := []string{ts.ld, h1Text} // titles a suffix cut must not shorten
	cands := []field{{ts.og, srcOG}, {ts.meta, srcMeta}, {ts.ld, srcJSONLD}, {h1Text, srcText}, {ts.doc, srcMeta}}
	if h1 == nil || crumb {
		// No headline on the page: where og:title and the JSON-LD
		// headline differ, the one that only repeats the search title
		// (<title>, the breadcrumb's h1) gives way to the other.
		seo := []string{cleanTitle(ts.doc, m.siteNames), h1Text}
		og, ld := cleanTitle(ts.og, m.siteNames), cleanTitle(ts.ld, m.siteNames)
		if ld != "" && squeeze(ld) != squeeze(og) && (og == "" || sameText(og, seo) || truncated(og, seo)) && !sameText(ld, seo) {
			cands = append([]field{{ts.ld, srcJSONLD}}, cands...)
		}
	}
	for _, c := range cands {
		if t := cleanTitleKeep(c.val, m.siteNames, keep); t != "" {
			m.title, m.titleSrc = t, c.src
			break
		}
	}
	if h1Text != "" && !crumb && ts.ld != "" && m.titleSrc != srcJSONLD {
		if ldt := cleanTitleKeep(ts.ld, m.siteNames, keep); squeeze(ldt) == squeeze(h1Text) && squeeze(ldt) != squeeze(m.title) {
			m.title, m.titleSrc = ldt, srcJSONLD
		}
	}
	if h1Text != "" && m.title != h1Text && squeeze(m.title) != squeeze(h1Text) && runeLen(h1Text)*2 >= runeLen(m.title) && strings.HasPrefix(squeeze(m.title), squeeze(h1Text)) {
		m.title, m.titleSrc = h1Text, srcText // a suffix cleanTitle did not know
	}
	if h1Text != "" && m.title != h1Text && runeLen(h1Text)*2 >= runeLen(m.title) && strings.HasSuffix(m.title, h1Text) &&
		cjkLabel(strings.TrimSuffix(m.title, h1Text)) {
		m.title, m.titleSrc = h1Text, srcText // "实时更新丨寒潮来袭…" over the h1 "寒潮来袭…"
	}
	if h1Text == "" || m.title != h1Text {
		// "江淮日报数字报-淮河沿线…": a site prefix before the heading.
		if head, rest, ok := splitTitleFirst(m.title); ok && runeLen(head) <= 16 && runeLen(rest) >= 2*runeLen(head) {
			if rest == h1Text || h1Text == "" && headingText(gq, rest) {
				m.title, m.titleSrc = rest, srcText
				m.siteNames = append(m.siteNames, head)
			}
		}
	}
	m.title = stripTypeTags(m.title, ts.og+" "+ts.doc+" "+h1Text)
}

// cleanTitle strips site names and section suffixes from a page title:
// "标题 - 广众网", "Title | Site", "标题_国际_某某网". A trailing part is
// removed when it matches a known site name, or when it is short (at most
// 12 characters or 4 words) and less than half as long as what precedes.
func cleanTitle(title string, names []string) string { return cleanTitleKeep(title, names, nil) }

// cleanTitleKeep is cleanTitle that stops cutting short tails once the
// title is one of keep (the page's headline as its h1 or JSON-LD shows
// it): "Kawasaki steigt aus! - und doch wieder nicht" is a headline whose
// tail only looks like a suffix. Site names are cut all the same.
func cleanTitleKeep(title string, names, keep []string) string {
	title = collapse(title)
	for i := 0; i < 3; i++ {
		head, tail, ok := splitTitle(title)
		if !ok {
			break
		}
		switch {
		case matchesName(tail, names):
			title = head
		case matchesName(head, names) && runeLen(tail) > runeLen(head):
			title = tail
		case looksLikeSuffix(head, tail) && !sameText(title, keep):
			title = head
		default:
			return title
		}
	}
	return title
}

// truncated reports whether t is the start of one of others, cut short
// (an attribute value that an unescaped quote ended): at least half of it.
func truncated(t string, others []string) bool {
	st := squeeze(t)
	for _, o := range others {
		if so := squeeze(o); st != "" && strings.HasPrefix(so, st) && 2*len(st) >= len(so) {
			return true
		}
	}
	return false
}

// sameText reports whether t is one of others, ignoring case, spaces and
// punctuation.
func sameText(t string, others []string) bool {
	st := squeeze(t)
	for _, o := range others {
		if st != "" && squeeze(o) == st {
			return true
		}
	}
	return false
}

// rxLabelPrefix matches a short label before a headline that ends with a
// separator: "实时更新丨", "独家｜", "直播：".
var rxLabelPrefix = regexp.MustCompile(`^\s*[^\s丨|｜:：]{1,8}\s*[丨|｜:：—–-]+\s*$`)

// cjkLabel reports whether a label before a headline is a CJK one
// ("实时更新丨"): a Western kicker ("Kenia: ") is part of the headline.
func cjkLabel(s string) bool {
	return rxLabelPrefix.MatchString(s) && strings.IndexFunc(s, func(r rune) bool { return r >= 0x2e80 }) >= 0
}

// rxTypeTag matches a short bracketed tag at the start of a title: a
// forum's thread type ("[城建]") or a repost mark ("【转载】").
var rxTypeTag = regexp.MustCompile(`^\s*(?:\[[^\[\]]{1,6}\]|【[^【】]{1,6}】|［[^［］]{1,6}］)\s*`)

// stripTypeTags removes bracketed thread-type and repost tags from the
// start of title, as long as a headline of eight or more characters stays
// and others (the other title candidates) still hold it.
func stripTypeTags(title, others string) string {
	so := squeeze(others)
	for i := 0; i < 3; i++ {
		loc := rxTypeTag.FindStringIndex(title)
		if loc == nil {
			break
		}
		rest := title[loc[1]:]
		if runeLen(rest) < 8 || !strings.Contains(so, squeeze(rest)) {
			break
		}
		title = rest
	}
	return title
}

// titleSiteName returns the site name that ends a page's <title> ("标题 -
// 栏目 - 某某论坛 - Powered by Discuz!" gives "某某论坛"): its last part,
// after software credits, when what comes before holds the headline.
func titleSiteName(docTitle, title string) string {
	t := docTitle
	for i := 0; i < 4; i++ {
		head, tail, ok := splitTitle(t)
		if !ok {
			return ""
		}
		if rxVendorName.MatchString(tail) {
			t = head
			continue
		}
		st := squeeze(tail)
		if st == "" || st == squeeze(title) || runeLen(tail) > 20 || !strings.Contains(squeeze(head), squeeze(title)) {
			return ""
		}
		return tail
	}
	return ""
}

// titleTails returns the parts of the document title after the article
// title: "标题_新浪财经_新浪网" gives 新浪财经 and 新浪网.
func titleTails(docTitle, title string) []string {
	var tails []string
	t := docTitle
	for i := 0; i < 4; i++ {
		head, tail, ok := splitTitle(t)
		if !ok || runeLen(tail) > 20 || !strings.Contains(squeeze(head), squeeze(title)) {
			break
		}
		tails = append(tails, tail)
		t = head
	}
	return tails
}

// splitTitleFirst splits a title at its first separator.
func splitTitleFirst(t string) (head, tail string, ok bool) {
	start, end := -1, -1
	if loc := rxTitleSep.FindStringIndex(t); loc != nil {
		start, end = loc[0], loc[1]
	}
	if loc := rxHanHyphen.FindStringSubmatchIndex(t); loc != nil && (start < 0 || loc[2] < start) {
		start, end = loc[2], loc[3]
	}
	if start <= 0 || end >= len(t) {
		return "", "", false
	}
	return strings.TrimSpace(t[:start]), strings.TrimSpace(t[end:]), true
}

// headingText reports whether an element of the page that holds no other
// element shows exactly t, as a heading does: a print edition's
// "<founder-title>" or "<td class="title">".
func headingText(gq *goquery.Document, t string) bool {
	if t == "" {
		return false
	}
	found := false
	gq.Find("body *").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		n := s.Get(0)
		if n.DataAtom == atom.A || n.DataAtom == atom.Title || s.Children().Length() > 0 {
			return true
		}
		if collapse(s.Text()) == t {
			found = true
			return false
		}
		return true
	})
	return found
}

// splitTitle splits a title at its last separator.
func splitTitle(t string) (head, tail string, ok bool) {
	start, end := -1, -1
	for _, loc := range rxTitleSep.FindAllStringIndex(t, -1) {
		start, end = loc[0], loc[1]
	}
	for _, loc := range rxHanHyphen.FindAllStringSubmatchIndex(t, -1) {
		if loc[2] > start {
			start, end = loc[2], loc[3]
		}
	}
	if start <= 0 || end >= len(t) {
		return "", "", false
	}
	return strings.TrimSpace(t[:start]), strings.TrimSpace(t[end:]), true
}

func looksLikeSuffix(head, tail string) bool {
	hl, tl := runeLen(head), runeLen(tail)
	if tl == 0 || hl < 2*tl || hl < 6 {
		return false
	}
	if detectLanguage(tail) == "zh" || squeeze(tail) != "" && runeLen(tail) <= 6 {
		return tl <= 12
	}
	return len(strings.Fields(tail)) <= 4
}

// matchesName reports whether s is one of the site names (ignoring case,
// spaces and punctuation, and allowing one to contain the other).
func matchesName(s string, names []string) bool {
	ss := squeeze(s)
	if runeLen(ss) < 2 {
		return false
	}
	for _, n := range names {
		sn := squeeze(n)
		if runeLen(sn) < 2 {
			continue
		}
		if ss == sn || runeLen(sn) >= 3 && strings.Contains(ss, sn) && runeLen(ss) <= runeLen(sn)+8 || runeLen(ss) >= 3 && strings.Contains(sn, ss) {
			return true
		}
	}
	return false
}

// hostLabel returns the distinctive label of a host name:
// "news.example.com.cn" gives "example".
func hostLabel(host string) string {
	parts := strings.Split(strings.ToLower(host), ".")
	if len(parts) < 2 {
		return ""
	}
	i := len(parts) - 2
	switch parts[i] {
	case "com", "net", "org", "gov", "edu", "co", "ac":
		if i > 0 {
			i--
		}
	}
	if len(parts[i]) < 3 {
		return ""
	}
	return parts[i]
}

// mainHeading picks the h1 that the page titles name, else the first h1
// that is not the site's name. An h1 in a breadcrumb trail or a sticky bar
// is taken only when there is no other; crumb then says so.
func mainHeading(gq *goquery.Document, titles string, names []string) (h *html.Node, crumb bool) {
	st := squeeze(titles)
	var firstOK, match, crumbH *html.Node
	gq.Find("h1").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		t := collapse(s.Text())
		if runeLen(t) < 4 || matchesName(t, names) {
			return true
		}
		if inBreadcrumb(s.Get(0)) {
			if crumbH == nil {
				crumbH = s.Get(0)
			}
			return true
		}
		if firstOK == nil {
			firstOK = s.Get(0)
		}
		if strings.Contains(st, squeeze(t)) {
			match = s.Get(0)
			return false
		}
		return true
	})
	switch {
	case match != nil:
		return match, false
	case firstOK != nil:
		return firstOK, false
	}
	return crumbH, crumbH != nil
}

// inBreadcrumb reports whether n is part of a breadcrumb trail or other
// navigation: it or an ancestor is a <nav> or role=navigation, has a
// class, id or data attribute naming a breadcrumb, or is a schema.org
// BreadcrumbList.
func inBreadcrumb(n *html.Node) bool {
	for p := n; p != nil && p.Type == html.ElementNode; p = p.Parent {
		if p.DataAtom == atom.Nav || attr(p, "role") == "navigation" {
			return true
		}
		if strings.Contains(strings.ToLower(attr(p, "class")+" "+attr(p, "id")), "breadcrumb") || strings.HasSuffix(attr(p, "itemtype"), "BreadcrumbList") {
			return true
		}
		for _, a := range p.Attr {
			if strings.Contains(strings.ToLower(a.Key), "breadcrumb") {
				return true
			}
		}
	}
	return false
}
