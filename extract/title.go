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

// cleanTitle strips site names and section suffixes from a page title:
// "标题 - 广众网", "Title | Site", "标题_国际_某某网". A trailing part is
// removed when it matches a known site name, or when it is short (at most
// 12 characters or 4 words) and less than half as long as what precedes.
func cleanTitle(title string, names []string) string {
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
		case looksLikeSuffix(head, tail):
			title = head
		default:
			return title
		}
	}
	return title
}

// rxLabelPrefix matches a short label before a headline that ends with a
// separator: "实时更新丨", "独家｜", "直播：".
var rxLabelPrefix = regexp.MustCompile(`^\s*[^\s丨|｜:：]{1,8}\s*[丨|｜:：—–-]+\s*$`)

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

// mainHeading picks the h1 that the page title names, else the first h1
// that is not the site's name.
func mainHeading(gq *goquery.Document, titles string, names []string) *html.Node {
	st := squeeze(titles)
	var firstOK *html.Node
	var match *html.Node
	gq.Find("h1").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		t := collapse(s.Text())
		if runeLen(t) < 4 || matchesName(t, names) {
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
	if match != nil {
		return match
	}
	return firstOK
}
