package extract

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsarc/internal/htmlsafe"
)

// pageEvidence is what a page shows about its kind before any cleaning:
// what it says about itself (JSON-LD, og:type), its structure (one text or
// many teasers) and its URL. judge weighs it.
type pageEvidence struct {
	LDArticle string `json:"ld_article,omitempty"` // the JSON-LD article type, if any
	OGType    string `json:"og_type,omitempty"`

	TeaserBlocks int `json:"teaser_blocks"` // blocks headed by one headline link, and cards
	FreeParas    int `json:"free_paras"`    // prose paragraphs outside teaser blocks: the page's own text
	H1s          int `json:"h1s"`
	Prose        int `json:"prose"`        // prose weight of the page (runs of 25+ runes outside links)
	TeaserProse  int `json:"teaser_prose"` // prose inside teaser blocks
	ChromeProse  int `json:"chrome_prose"` // prose inside nav, header, footer, aside, form

	// What the crawl has judged so far (ExtractWithShapes): pages of this
	// URL's shape archived as articles and judged not articles, and the
	// distinct same-host links of this page to URLs of article shapes
	// (three or more articles, no other page).
	ShapeArticles   int `json:"shape_articles,omitempty"`
	ShapeOthers     int `json:"shape_others,omitempty"`
	LinksToArticles int `json:"links_to_articles,omitempty"`
	crawled         bool

	PathDepth int  `json:"path_depth"` // path segments
	URLSlug   bool `json:"url_slug"`   // the last segment names one item: a long slug, an ID, a date or a file
	URLWords  bool `json:"url_words"`  // the last segment is words joined by hyphens or underscores (two or more)
	URLDate   bool `json:"url_date"`
}

var (
	rxSlugTwoWords = regexp.MustCompile(`^\p{L}+(?:[-_]\p{L}+)+$`)
	rxSlugWords    = regexp.MustCompile(`[\p{L}\d]+(?:[-_+][\p{L}\d]+){3,}`)
	rxSlugID       = regexp.MustCompile(`\d{5,}|[a-z]\d{4,}|\d{4,}[a-z]`)
	rxSlugFile     = regexp.MustCompile(`(?i)\.(?:s?html?|php|aspx?|jsp|cms|ece|bi)$`)
)

// readEvidence collects the evidence of doc, a freshly parsed page.
func readEvidence(doc *html.Node, u *url.URL, ld ldInfo, ogType string) pageEvidence {
	ev := pageEvidence{OGType: strings.ToLower(ogType)}
	if ld.article != nil {
		ev.LDArticle = ld.articleType
	}
	body := findElement(doc, "body")
	if body == nil {
		return ev
	}
	st := computeStats(body)

	// Teasers: the blocks that each carry one headline link, and the
	// cards (<article> elements with a heading and a link) of a list.
	var heads, paras []*html.Node
	var h1 *html.Node
	elements(body, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.H1:
			ev.H1s++
			if h1 == nil {
				h1 = n
			}
		case atom.P:
			if s := st[n]; s != nil && textWeight(textOf(n)) >= 60 && s.link*5 < s.text {
				paras = append(paras, n)
			}
		case atom.A:
			href := strings.TrimSpace(attr(n, "href"))
			if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(strings.ToLower(href), "javascript:") {
				return true
			}
			if textWeight(textOf(n)) < 12 || !headlineLink(n) {
				return true
			}
			heads = append(heads, n)
			return false
		}
		return true
	})
	teaserBlocks := map[*html.Node]bool{}
	below := map[*html.Node]int{} // headline links under each node
	for _, a := range heads {
		for p := a; p != nil; p = p.Parent {
			below[p]++
		}
	}
	for _, a := range heads {
		teaserBlocks[teaserBlock(a, h1, st, below)] = true
	}
	elements(body, func(n *html.Node) bool {
		if n.DataAtom == atom.Article && card(n, h1, st) {
			teaserBlocks[n] = true
			return false
		}
		return true
	})
	ev.TeaserBlocks = len(teaserBlocks)
	for _, p := range paras {
		inTeaser := false
		for a := p.Parent; a != nil && !inTeaser; a = a.Parent {
			inTeaser = teaserBlocks[a]
		}
		if !inTeaser {
			ev.FreeParas++
		}
	}
	for b := range teaserBlocks {
		nested := false
		for p := b.Parent; p != nil && !nested; p = p.Parent {
			nested = teaserBlocks[p]
		}
		if s := st[b]; !nested && s != nil {
			ev.TeaserProse += s.content
		}
	}
	ev.Prose = st[body].content
	elements(body, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.Nav, atom.Header, atom.Footer, atom.Aside, atom.Form:
			if s := st[n]; s != nil {
				ev.ChromeProse += s.content
			}
			return false
		}
		return true
	})

	segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	ev.PathDepth = len(segs)
	if len(segs) > 0 {
		last := segs[len(segs)-1]
		if dec, err := url.PathUnescape(last); err == nil {
			last = dec
		}
		ev.URLWords = rxSlugTwoWords.MatchString(last)
		ev.URLSlug = rxSlugWords.MatchString(last) || rxSlugID.MatchString(strings.ToLower(last)) ||
			rxSlugFile.MatchString(last) && !rxIndexFile.MatchString(last)
	}
	ev.URLDate = rxURLDate.MatchString(u.Path) || rxURLDateDigit.MatchString(u.Path)
	return ev
}

// rxPeoplePath matches the path of a person's page: a directory of people
// then one name (up to four words, no digits: a story's slug is longer or
// carries an ID), with nothing below it.
var rxPeoplePath = regexp.MustCompile(`(?i)^/(?:[a-z]{2}(?:-[a-z]{2})?/)?(?:staff|authors?|autor(?:en)?|auteurs?|autores?|people|profiles?|reporters?|journalists?|writers?|contributors?|columnists?|team|redaktion|mitarbeiter|byline|zuozhe|jizhe)/\p{L}+(?:[-_.+]\p{L}+){0,3}/?$`)

var rxIndexFile = regexp.MustCompile(`(?i)^(?:index|default|home|main)\.\w+$`)

// headlineLink reports whether link a is a headline: inside a heading, or
// holding one.
func headlineLink(a *html.Node) bool {
	for p, i := a.Parent, 0; p != nil && i < 3; p, i = p.Parent, i+1 {
		switch p.DataAtom {
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			return true
		}
	}
	found := false
	elements(a, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			found = true
		}
		return !found
	})
	return found
}

// teaserBlock is the block a headline link heads: its largest ancestor
// that holds no other headline link, no h1 and little text.
func teaserBlock(a, h1 *html.Node, st map[*html.Node]*nodeStat, below map[*html.Node]int) *html.Node {
	blk := a
	for p := a.Parent; p != nil && p.DataAtom != atom.Body && p.DataAtom != atom.Main; p = p.Parent {
		if s := st[p]; s == nil || s.text > 1500 || below[p] > 1 || h1 != nil && contains(p, h1) {
			break
		}
		blk = p
		if p.DataAtom == atom.Article || p.DataAtom == atom.Li {
			break
		}
	}
	return blk
}

// card reports whether n, an <article> element, is a teaser card: little
// text, a heading and a link to elsewhere (often an empty link laid over
// the whole card, named by aria-label), and not the page's own article.
func card(n, h1 *html.Node, st map[*html.Node]*nodeStat) bool {
	if s := st[n]; s == nil || s.text > 1500 || h1 != nil && contains(n, h1) {
		return false
	}
	var link, heading bool
	elements(n, func(c *html.Node) bool {
		switch c.DataAtom {
		case atom.A:
			if h := strings.TrimSpace(attr(c, "href")); h != "" && !strings.HasPrefix(h, "#") {
				link = true
			}
		case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			heading = true
		}
		return !(link && heading)
	})
	return link && heading
}

// teaserShare is the percent of the page's prose that sits in teasers.
func (ev pageEvidence) teaserShare() int {
	if ev.Prose <= 0 {
		return 0
	}
	return min(100, ev.TeaserProse*100/ev.Prose)
}

// declaredArticle reports whether the page names itself an article (its
// JSON-LD, or og:type at a dated URL) and its URL names one item:
// then structure that looks like a list (a long related-stories rail) does
// not overrule it.
func (ev pageEvidence) declaredArticle() bool {
	if ev.PathDepth == 0 {
		return false
	}
	if ev.LDArticle != "" && rxArticleType.MatchString(ev.LDArticle) {
		return ev.URLSlug || ev.URLDate
	}
	// og:type=article, which CMSs print everywhere, counts only at a URL
	// that both dates the page and names it: a day's archive has the date
	// without the name, a section the name without the date.
	return ev.OGType == "article" && ev.URLSlug && ev.URLDate
}

// pageRule is one named rule of the page-type judgment: when match holds,
// the page is not an article, for the reason it gives.
type pageRule struct {
	name  string
	match func(ev pageEvidence, u *url.URL) bool
}

// notArticleRules say, from evidence alone, that a page is not one
// article. They run in order; the first that matches decides.
var notArticleRules = []pageRule{
	{"the site's front page", func(ev pageEvidence, u *url.URL) bool {
		// A front page lists the news; the story it leads with has a URL
		// of its own. (A query such as ?p=123 may still name an article.)
		return ev.PathDepth == 0 && u.RawQuery == ""
	}},
	{"teasers hold the page's prose", func(ev pageEvidence, _ *url.URL) bool {
		// Section pages, tag pages and home pages: ten or more teaser
		// blocks (a heading's link, or a card) hold a quarter of the
		// prose or more (the rest is often one intro or a footer),
		// and fewer than three paragraphs stand outside them (an
		// article's own text does, beside a rail of excerpts).
		return ev.TeaserBlocks >= 10 && ev.teaserShare() >= 25 && ev.FreeParas < 3 && !ev.declaredArticle()
	}},
	{"a person's page (staff, author, profile)", func(ev pageEvidence, u *url.URL) bool {
		// /staff/jane-doe/, /author/jdoe, /people/…: a bio over the
		// person's stories, however long the bio. JSON-LD that calls the
		// page an article outweighs the path.
		return rxPeoplePath.MatchString(u.Path) && !(ev.LDArticle != "" && rxArticleType.MatchString(ev.LDArticle))
	}},
	{"the crawl: a list's URL shape, linking to articles", func(ev pageEvidence, _ *url.URL) bool {
		// The earlier pages of this URL shape were lists (see
		// listShape), and this one links to ten or more pages of article
		// shapes.
		return ev.crawled && listShape(ev.ShapeArticles, ev.ShapeOthers) && ev.LinksToArticles >= 10 && !ev.declaredArticle()
	}},
	{"many teasers and almost no prose", func(ev pageEvidence, _ *url.URL) bool {
		// A list of bare headlines: twenty teasers and less prose than a
		// short article's.
		return ev.TeaserBlocks >= 20 && ev.Prose < 600 && ev.LDArticle == ""
	}},
}

// judge returns the reason evidence gives for a page not being an
// article, or "".
func (ev pageEvidence) judge(u *url.URL) string {
	for _, r := range notArticleRules {
		if r.match(ev, u) {
			return fmt.Sprintf("%s (%s)", r.name, ev.summary())
		}
	}
	return ""
}

// oneArticle reports whether the page's structure alone shows one article:
// a main text (three paragraphs of prose under fewer than ten h1, the
// headlines of a gallery's slides; or some prose under at most two h1),
// next to no teasers, and a URL that names one item. Such a page is kept
// without a publish date.
func (ev pageEvidence) oneArticle() bool {
	mainText := ev.FreeParas >= 3 && ev.H1s < 10 || ev.H1s <= 2 && ev.Prose-ev.ChromeProse >= 500
	return mainText && ev.TeaserBlocks <= 2 && (ev.URLSlug || ev.URLWords || ev.PathDepth >= 2)
}

// undatedArticle reports whether a page with no publish date is still
// kept as an article: its JSON-LD says so, its structure shows one article,
// or it declares itself one (markedArticle: JSON-LD or og:type) and has one
// headline and few teasers. og:type=article alone is not enough: many CMSs
// print it on every page, galleries and schedules included.
func (ev pageEvidence) undatedArticle(markedArticle bool) bool {
	switch {
	case ev.LDArticle != "" && rxArticleType.MatchString(ev.LDArticle):
		return true
	case ev.oneArticle():
		return true
	case ev.crawled && articleShape(ev.ShapeArticles, ev.ShapeOthers) && ev.LinksToArticles < 10:
		// The crawl archived pages of this URL shape as articles (see
		// articleShape).
		return true
	}
	return markedArticle && ev.H1s >= 1 && ev.H1s <= 3 && ev.TeaserBlocks <= 10
}

// summary is the evidence in a line, for logs and refusal reasons.
func (ev pageEvidence) summary() string {
	parts := []string{
		fmt.Sprintf("%d teaser blocks", ev.TeaserBlocks),
		fmt.Sprintf("%d%% of the prose in teasers", ev.teaserShare()),
		fmt.Sprintf("prose %d", ev.Prose),
		fmt.Sprintf("%d paragraphs outside teasers", ev.FreeParas),
		fmt.Sprintf("%d h1", ev.H1s),
		fmt.Sprintf("chrome prose %d", ev.ChromeProse),
		fmt.Sprintf("path depth %d", ev.PathDepth),
	}
	if ev.LDArticle != "" {
		parts = append(parts, "json-ld "+ev.LDArticle)
	}
	if ev.crawled {
		parts = append(parts, fmt.Sprintf("in this crawl: its URL shape %d articles / %d other pages, links to %d pages of article shapes",
			ev.ShapeArticles, ev.ShapeOthers, ev.LinksToArticles))
	}
	if ev.OGType != "" {
		parts = append(parts, "og:type "+ev.OGType)
	}
	return strings.Join(parts, ", ")
}

// Evidence describes what a page shows about its kind, in one line, for
// explaining a verdict (`newsarc extract` prints it): teaser blocks and
// the share of the prose in them, prose, paragraphs outside teasers, path
// depth, JSON-LD and og:type. It reads the page as Extract does.
func Evidence(pageURL string, h http.Header, body []byte) (string, error) {
	u, err := url.Parse(pageURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("extract: page url %q: not absolute", pageURL)
	}
	ct := ""
	if h != nil {
		ct = h.Get("Content-Type")
	}
	text, _, err := Decode(ct, body)
	if err != nil {
		return "", fmt.Errorf("extract: %s: %w", pageURL, err)
	}
	doc, _, err := htmlsafe.Parse(text)
	if err != nil {
		return "", fmt.Errorf("extract: parse html %s: %w", pageURL, err)
	}
	m := readMetadata(doc, u, h)
	return readEvidence(doc, u, m.ld, m.ogType).summary(), nil
}

// crawlEvidence adds what the crawl has judged (see ExtractWithShapes).
func (ev *pageEvidence) crawlEvidence(doc *html.Node, u *url.URL, shape func(*url.URL) (articles, others int)) {
	ev.crawled = true
	ev.ShapeArticles, ev.ShapeOthers = shape(u)
	seen := map[string]bool{}
	elements(doc, func(n *html.Node) bool {
		if n.DataAtom != atom.A {
			return true
		}
		href := strings.TrimSpace(attr(n, "href"))
		if href == "" || strings.HasPrefix(href, "#") {
			return true
		}
		l, err := u.Parse(href)
		if err != nil || l.Host != u.Host || l.Path == u.Path {
			return true
		}
		l.Fragment = ""
		if k := l.String(); !seen[k] {
			seen[k] = true
			if articleShape(shape(l)) {
				ev.LinksToArticles++
			}
		}
		return true
	})
}

// articleShape reports whether the crawl's verdicts on a URL shape make it
// an article shape: three articles or more, and at least four in five.
func articleShape(articles, others int) bool {
	return articles >= 3 && articles >= 4*others
}

// listShape reports whether they make it a list shape: three pages or
// more judged not articles, and at least four in five.
func listShape(articles, others int) bool {
	return others >= 3 && others >= 4*articles
}
