package extract

// Page dates: publish-date candidates read from elements (<time>,
// itemprop, classes naming a date) before pre-cleaning.

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageDates are the publish-date candidates that elements give, read
// before pre-cleaning.
type pageDates struct {
	marked   []field    // <time pubdate>, itemprop=datePublished, class "publish…"
	times    []dateNode // other <time> elements: those after the heading first
	updated  []field    // <time> elements labelled or classed as updates
	elements []field    // short elements after the heading whose class or id names a date or byline
	comment  []field    // the first comment's date: the article is older
}

// dateNode is a date candidate and the text its element shows.
type dateNode struct {
	f    field
	text string
}

// maxDateElements is how many class-named date elements readDates keeps.
const maxDateElements = 3

// readDates collects date candidates from <time> and itemprop elements and
// from short elements after the heading whose class or id says date, time,
// byline, posted or pubdate (not before it: a masthead shows today's date).
// Update dates are kept apart, and so are comments' dates, which are a last
// resort.
func readDates(doc, h1 *html.Node) pageDates {
	var pd pageDates
	var after, before []dateNode
	var elemClass []string
	classCount := map[string]int{}
	seenH1 := h1 == nil
	elements(doc, func(n *html.Node) bool {
		if n == h1 {
			seenH1 = true
		}
		if isCommentScope(n) {
			if pd.comment == nil {
				if t := commentDate(n); t.val != "" {
					pd.comment = []field{t}
				}
			}
			return false
		}
		var cls string
		if c, id := attr(n, "class"), attr(n, "id"); c != "" || id != "" {
			cls = strings.ToLower(c + " " + id)
		}
		if n.DataAtom == atom.Time {
			text := textOf(n)
			v := attr(n, "datetime")
			if v == "" {
				v = text
			}
			f := field{v, srcTime}
			switch {
			case hasAttr(n, "pubdate") || attr(n, "itemprop") == "datePublished" || strings.Contains(cls, "publish") || strings.Contains(cls, "pubdate"):
				pd.marked = append(pd.marked, f)
			case strings.Contains(cls, "updated") || strings.Contains(cls, "modified") || labelledUpdate(n):
				pd.updated = append(pd.updated, f)
			case seenH1:
				after = append(after, dateNode{f, text})
			default:
				before = append(before, dateNode{f, text})
			}
			return false
		}
		if attr(n, "itemprop") == "datePublished" {
			if v := attr(n, "content"); v != "" {
				pd.marked = append(pd.marked, field{v, srcMeta})
			} else {
				pd.marked = append(pd.marked, field{textOf(n), srcText})
			}
			return true
		}
		if seenH1 && len(pd.elements) < maxDateElements && namesDate(cls) && !inLink(n) {
			if t, ok := shortText(n, 100); ok && hasDigit(t) {
				pd.elements = append(pd.elements, field{t, srcText})
				elemClass = append(elemClass, cls)
				classCount[cls]++
			}
		}
		return true
	})
	// A time of day alone in a repeated element ("17:42" on each update of
	// a live blog, each item of a list) is an item's time, not the page's.
	kept := pd.elements[:0]
	for i, f := range pd.elements {
		if classCount[elemClass[i]] > 1 && !isDateLine(f.val) && !relativeOnly(f.val) {
			continue
		}
		kept = append(kept, f)
	}
	pd.elements = kept
	pd.times = append(after, before...)
	return pd
}

// namesDate reports whether a lower-cased class and id name a date or a
// byline, and not an update.
func namesDate(cls string) bool {
	if cls == "" || strings.Contains(cls, "updat") || strings.Contains(cls, "modif") {
		return false
	}
	for _, w := range []string{"date", "time", "byline", "posted", "pubdate", "publish"} {
		if strings.Contains(cls, w) {
			return true
		}
	}
	return false
}

// isCommentScope reports whether n is a reader's comment, whose dates are
// not the article's. (Not a Review: on a review site that is the article.)
func isCommentScope(n *html.Node) bool {
	if attr(n, "itemprop") == "comment" {
		return true
	}
	t := attr(n, "itemtype")
	return t != "" && (strings.HasSuffix(t, "/Comment") || strings.HasSuffix(t, "/UserComments"))
}

// commentDate returns the date of the comment n: its datePublished or
// first <time>.
func commentDate(n *html.Node) field {
	var f field
	elements(n, func(c *html.Node) bool {
		if f.val != "" {
			return false
		}
		if c.DataAtom == atom.Time || attr(c, "itemprop") == "datePublished" {
			if f.val = attr(c, "datetime"); f.val == "" {
				f.val = attr(c, "content")
			}
			if f.val == "" {
				f.val, _ = shortText(c, 60)
			}
			f.src = srcTime
		}
		return true
	})
	return f
}

// rxUpdatedBefore matches the end of the text before an update's <time>:
// "Updated <time>", "Last modified: <time>", "更新于 <time>".
var rxUpdatedBefore = regexp.MustCompile(`(?i)(?:updated|modified|last edited|更新|修改)(?:\s+(?:on|at))?\s*[:：于]?\s*$`)

// labelledUpdate reports whether the text right before the <time> element
// n, within its parent, labels it an update.
func labelledUpdate(n *html.Node) bool {
	var b []string
	size := 0
	for p := n.PrevSibling; p != nil && size < 40; p = p.PrevSibling {
		var t string
		if p.Type == html.TextNode {
			t = p.Data
		} else if p.Type == html.ElementNode {
			t, _ = shortText(p, 40)
		}
		b = append([]string{t}, b...)
		size += len(strings.TrimSpace(t))
	}
	return rxUpdatedBefore.MatchString(strings.Join(b, " "))
}

// inLink reports whether n is inside a link: a teaser's date, which is
// another story's.
func inLink(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.A {
			return true
		}
	}
	return false
}
