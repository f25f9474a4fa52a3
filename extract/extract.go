// Package extract turns one fetched page into a store.Article: it owns
// charset decoding (Decode), date parsing (ParseDate), main-text extraction
// with boilerplate removal (via go-readability), metadata (title, authors,
// editor, source, dates, language, section, tags, images, with provenance),
// and telling articles from list, tag and search pages (ErrNotArticle).
//
// It does no I/O: fetching, retries, link-following and deciding what to
// crawl belong to the crawler, and storing to package store's backends.
// extract is the only package that imports readability and goquery; none of
// their types appear in its API.
package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"

	"newsarc/internal/htmlsafe"
	"newsarc/store"
)

// ErrNotArticle is returned, wrapped with the reason, when a page is not an
// article: a list, tag, search or calendar page, or one with too little
// body text.
var ErrNotArticle = errors.New("extract: not an article")

// Options configures an Extractor. DefaultOptions gives the defaults.
type Options struct {
	// Location is the site's time zone for dates without one. When nil it
	// is inferred per page: European country domains use their country's zone,
	// Chinese pages and .cn hosts Asia/Shanghai,
	// Japanese Asia/Tokyo, Korean Asia/Seoul, anything else UTC.
	Location *time.Location
	// MinTextLen is the least body length for an article, in CJK
	// characters; other non-space characters count 7/16 each, so the
	// default 150 asks for about 150 Chinese characters or 400 characters
	// of English. Pages marked as articles (JSON-LD NewsArticle,
	// og:type=article) need a third of it.
	MinTextLen int
	// Now is the reference time for relative dates ("3小时前") and
	// FetchedAt when the response has no Date header. Default time.Now.
	Now func() time.Time
	// AllowUndated accepts pages with neither a publish date nor article
	// markup (JSON-LD Article types, og:type=article). By default they are
	// ErrNotArticle: about, contact and policy pages are prose too.
	AllowUndated bool
	// Force returns whatever body text the page has instead of
	// ErrNotArticle for list, short, link-heavy and undated pages: for
	// benchmarks, which score extraction alone, and for debugging. Errors
	// for unusable input stay.
	Force bool
}

// DefaultOptions returns the default Options.
func DefaultOptions() Options {
	return Options{MinTextLen: 150, Now: time.Now}
}

// Extractor extracts articles from fetched pages. It is safe for concurrent
// use.
type Extractor struct {
	opts Options
}

// New returns an Extractor; zero fields of opts take their defaults.
func New(opts Options) *Extractor {
	def := DefaultOptions()
	if opts.MinTextLen <= 0 {
		opts.MinTextLen = def.MinTextLen
	}
	if opts.Now == nil {
		opts.Now = def.Now
	}
	return &Extractor{opts: opts}
}

// Extract parses one fetched page: pageURL is the final URL, h the response
// headers, body the raw response body in any charset. It returns an error
// wrapping ErrNotArticle when the page is a list, tag, search, calendar or
// other non-article page, and other errors for unusable input (a bad URL,
// an undecodable body).
func (e *Extractor) Extract(ctx context.Context, pageURL string, h http.Header, body []byte) (*store.Article, error) {
	return e.extract(ctx, pageURL, h, body, nil, nil, nil)
}

// ExtractWithShapes is Extract for a crawl: shape tells, for a URL, how many
// pages of the same URL shape the crawl has archived as articles and
// judged not articles so far. That is evidence for a page unclear on its
// own: an undated page of a shape whose pages were all articles is kept; a
// page of a shape whose pages were all lists, linking to ten or more pages
// of article shapes, is a list whatever its markup (unless its JSON-LD and
// URL name it an article).
func (e *Extractor) ExtractWithShapes(ctx context.Context, pageURL string, h http.Header, body []byte,
	shape func(u *url.URL) (articles, others int)) (*store.Article, error) {
	return e.extract(ctx, pageURL, h, body, nil, nil, shape)
}

// Parse decodes a page (its charset from the Content-Type, the page's own
// declaration or the bytes) and parses it as extraction does: doc and the
// decoded text it was parsed from, which ExtractParsed takes, so that a
// crawl that reads the page's links from doc parses each page once.
// Nesting the parser refuses is flattened (htmlsafe).
func (e *Extractor) Parse(contentType string, body []byte) (doc *html.Node, text []byte, err error) {
	text, _, err = Decode(contentType, body)
	if err != nil {
		return nil, nil, err
	}
	// htmlsafe flattens nesting the parser refuses; text becomes the
	// bytes it parsed, so the later parses of the page agree.
	doc, text, err = htmlsafe.Parse(text)
	if err != nil {
		return nil, nil, fmt.Errorf("parse html: %w", err)
	}
	return doc, text, nil
}

// ExtractParsed is ExtractWithShapes on a page Parse returned (doc, text)
// for body; extraction changes doc.
func (e *Extractor) ExtractParsed(ctx context.Context, pageURL string, h http.Header, body []byte,
	doc *html.Node, text []byte, shape func(u *url.URL) (articles, others int)) (*store.Article, error) {
	if doc == nil {
		return nil, fmt.Errorf("extract: %s: no parsed page", pageURL)
	}
	return e.extract(ctx, pageURL, h, body, doc, text, shape)
}

// extract extracts the article of a page; doc and text are the page as
// Parse returns it, or nil to parse it here.
func (e *Extractor) extract(ctx context.Context, pageURL string, h http.Header, body []byte,
	doc *html.Node, text []byte, shape func(u *url.URL) (articles, others int)) (*store.Article, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if h == nil {
		h = http.Header{}
	}
	u, err := url.Parse(pageURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("extract: page url %q: not absolute", pageURL)
	}
	contentType := h.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && !e.opts.Force && !strings.Contains(mt, "html") && !strings.Contains(mt, "xml") {
		return nil, fmt.Errorf("%w: content type %s", ErrNotArticle, mt)
	}
	if kind, ok := htmlsafe.SniffText(body); !ok {
		// An image or archive served as text/html is not read as text.
		return nil, fmt.Errorf("%w: content type %s (sniffed from the body)", ErrNotArticle, kind)
	}
	if doc == nil {
		if doc, text, err = e.Parse(contentType, body); err != nil {
			return nil, fmt.Errorf("extract: %s: %w", pageURL, err)
		}
	}

	fetched := e.opts.Now()
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		fetched = d
	}

	// Metadata first: readability drops scripts (JSON-LD) and pre-cleaning
	// drops tag links and breadcrumbs.
	m := readMetadata(doc, u, h)
	ev := readEvidence(doc, u, m.ld, m.ogType)
	if shape != nil {
		ev.crawlEvidence(doc, u, shape)
	}
	if !e.opts.Force {
		if why := ev.judge(u); why != "" {
			return nil, fmt.Errorf("%w: %s", ErrNotArticle, why)
		}
	}
	body0 := findElement(doc, "body")
	if body0 == nil {
		return nil, fmt.Errorf("%w: no body", ErrNotArticle)
	}
	dropOtherArticles(body0, m.h1, m.title)
	pageProse := preClean(body0, m.h1)
	lines := pageLines(body0)
	m.readLines(lines)

	ra, err := readable(doc, u)
	if err == nil && ra.Node == nil {
		// Readability sometimes finds nothing in a page cleaned down to
		// its article; it then gets the page as it came.
		raw, _, perr := htmlsafe.Parse(text)
		if perr != nil {
			return nil, fmt.Errorf("extract: parse html %s: %w", pageURL, perr)
		}
		if b := findElement(raw, "body"); b != nil {
			revealProse(b, computeStats(b))
		}
		ra, err = readable(raw, u)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: readability: %v", ErrNotArticle, err)
	}
	if ra.Node == nil {
		return nil, fmt.Errorf("%w: readability found no content", ErrNotArticle)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if blk := proseFallback(text, ra.Node, pageProse, m.h1Text, m.title); blk != nil {
		ra.Node = blk
	}
	fixAtoms(ra.Node)
	images, imageNodes := bodyImages(ra.Node, u) // before postClean drops captions
	for i, im := range images {
		if echoesTitle(im.Caption, m.title) {
			images[i].Caption = "" // a caption that repeats the title says nothing
		}
	}
	removed, junk := postClean(ra.Node, m.title, m.subtitle.val)
	images = keptImages(images, imageNodes, junk)
	m.harvest(removed, collapse(ra.Byline()))

	bodyText := renderText(ra.Node)
	if !e.opts.Force {
		if err := e.checkArticle(ra.Node, body0, bodyText, m, ev); err != nil {
			return nil, err
		}
	}

	lang, langSrc := m.language(bodyText)
	loc := e.location(lang, u.Hostname())
	a := &store.Article{
		URL:         pageURL,
		Site:        u.Hostname(),
		Title:       m.title,
		Subtitle:    m.subtitle.val,
		Authors:     m.dropPublisher(m.authors),
		Editor:      m.editor.val,
		Source:      m.source.val,
		Publisher:   m.publisher.val,
		Language:    lang,
		Section:     m.section.val,
		Tags:        m.tags,
		Description: m.description.val,
		TopImage:    m.topImage.val,
		Images:      images,
		Text:        bodyText,
		HTML:        renderHTML(ra.Node),
		WordCount:   countWords(bodyText),
		FetchedAt:   fetched,
		Capture:     store.Capture{Type: contentType},
		Raw:         body,
		Provenance:  map[string]string{},
	}
	a.CanonicalURL, a.Provenance["canonical_url"] = m.canonical.val, m.canonical.src
	a.ID = store.IDFor(a.CanonicalURL)
	a.ContentHash = store.HashText(a.Text)
	if h := SimHash(a.Text); h != 0 {
		a.SimHash = store.FormatSimHash(h)
	}
	yearRef := m.yearRef(loc, fetched)
	a.Published, a.Provenance["published_at"] = firstDate(m.published, loc, fetched, yearRef)
	a.Modified, a.Provenance["modified_at"] = firstDate(m.modified, loc, fetched, yearRef)
	if !e.opts.Force && (!m.newsType && sitePage(pageURL, m.title) || sitePageTitle(m.title)) {
		// A privacy policy has a date ("Last updated") and prose, and
		// WordPress calls every page an article: the page's name decides.
		return nil, fmt.Errorf("%w: a page about the site (policy, about, contact, jobs) or a topic's landing page", ErrNotArticle)
	}
	if a.Published.IsZero() && !ev.undatedArticle(m.isArticle) && !e.opts.AllowUndated && !e.opts.Force {
		// About, contact and policy pages are prose too; a news article
		// says when it was published, or at least declares itself one.
		return nil, fmt.Errorf("%w: no publish date and no article markup", ErrNotArticle)
	}
	if a.TopImage == "" && len(a.Images) > 0 {
		a.TopImage, m.topImage.src = a.Images[0].URL, srcText
	}
	for key, f := range map[string]field{
		"title": {m.title, m.titleSrc}, "subtitle": m.subtitle, "editor": m.editor,
		"source": m.source, "publisher": m.publisher, "language": {lang, langSrc},
		"section": m.section, "description": m.description, "top_image": {a.TopImage, m.topImage.src},
	} {
		if f.val != "" {
			a.Provenance[key] = f.src
		}
	}
	if len(a.Authors) > 0 {
		a.Provenance["authors"] = m.authorsSrc
	}
	if len(a.Tags) > 0 {
		a.Provenance["tags"] = m.tagsSrc
	}
	for k, v := range a.Provenance {
		if v == "" {
			delete(a.Provenance, k)
		}
	}
	return a, nil
}

// proseFallback checks readability's choice against the page's prose:
// when its output out keeps less than a third of the prose that the
// pre-cleaned page holds (pageProse, see preClean), it has picked a side
// block (comments, a toolbar) over the article. The page is then parsed
// again and pre-cleaned, and the smallest element holding two thirds of
// its prose is returned when it holds at least twice as much as out; else
// nil, and readability's output stands.
func proseFallback(text []byte, out *html.Node, pageProse int, h1Text, title string) *html.Node {
	if pageProse < minFallbackProse {
		return nil
	}
	outProse := rootStat(out).content
	if outProse*3 >= pageProse {
		return nil
	}
	doc, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		return nil
	}
	body := findElement(doc, "body")
	if body == nil {
		return nil
	}
	var h1 *html.Node
	if h1Text != "" {
		elements(body, func(n *html.Node) bool {
			if h1 == nil && n.Data == "h1" && textOf(n) == h1Text {
				h1 = n
			}
			return h1 == nil
		})
	}
	dropOtherArticles(body, h1, title)
	preClean(body, h1)
	blk := proseBlock(body)
	if blk == nil || rootStat(blk).content < 2*outProse {
		return nil
	}
	return blk
}

// minFallbackProse is the least prose (runes) a page needs for
// proseFallback to second-guess readability.
const minFallbackProse = 300

// proseBlock returns the smallest element under body that holds two thirds
// of its prose, or nil.
func proseBlock(body *html.Node) *html.Node {
	st := computeStats(body)
	total := st[body].content
	if total == 0 {
		return nil
	}
	best := body
	for {
		var next *html.Node
		for c := best.FirstChild; c != nil; c = c.NextSibling {
			if s := st[c]; c.Type == html.ElementNode && s != nil && s.content*3 >= total*2 {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		best = next
	}
	if best == body {
		return nil
	}
	return best
}

// readable runs readability on doc, which it changes.
func readable(doc *html.Node, u *url.URL) (readability.Article, error) {
	parser := readability.NewParser()
	parser.CharThresholds = 250
	parser.DisableJSONLD = true // read by readMetadata; saves a second JSON pass
	return parser.ParseAndMutate(doc, u)
}

// location returns the zone for dates without one.
func (e *Extractor) location(lang, host string) *time.Location {
	if e.opts.Location != nil {
		return e.opts.Location
	}
	host = strings.ToLower(host)
	switch {
	case countryZone(host) != nil:
		return countryZone(host)
	case strings.HasSuffix(host, ".tw"):
		return loadZone("Asia/Taipei", 8)
	case strings.HasSuffix(host, ".hk"):
		return loadZone("Asia/Hong_Kong", 8)
	case lang == "zh" || strings.HasSuffix(host, ".cn"):
		return loadZone("Asia/Shanghai", 8)
	case lang == "ja" || strings.HasSuffix(host, ".jp"):
		return loadZone("Asia/Tokyo", 9)
	case lang == "ko" || strings.HasSuffix(host, ".kr"):
		return loadZone("Asia/Seoul", 9)
	}
	return time.UTC
}

// loadZone loads a zone, falling back to its fixed offset on systems
// without a time zone database.
func loadZone(name string, hours int) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.FixedZone(name, hours*3600)
}

// firstDate parses the first candidate that is a date; ref is the
// reference for relative dates and yearRef for dates without a year (see
// parseDate). A date without a time of day gives way to a later candidate
// for the same day that has one ("2025-02-18" in a meta tag,
// "2025年02月18日 17:44" on the page); so does a candidate whose time of
// day newsarc could not read (it comes back at midnight).
func firstDate(cands []field, loc *time.Location, ref, yearRef time.Time) (time.Time, string) {
	for i, c := range cands {
		t, ok := parseDate(c.val, loc, ref, yearRef)
		if !ok {
			continue
		}
		if !strings.ContainsAny(c.val, ":：时点T") || isMidnight(t) && !rxMidnight.MatchString(c.val) {
			for _, d := range cands[i+1:] {
				if u, ok := parseDate(d.val, loc, ref, yearRef); ok && u.Format(time.DateOnly) == t.Format(time.DateOnly) && !u.Equal(t) {
					return u, d.src
				}
			}
		}
		return t, c.src
	}
	return time.Time{}, ""
}

// rxMidnight matches a time of day that is midnight: "00:00", "0:00",
// "12:00 AM".
var rxMidnight = regexp.MustCompile(`(?i)(?:^|\D)0?0\s*[:：]\s*00|12\s*[:：]\s*00(?:\s*[:：]\s*00)?\s*a\.?m|T00`)

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0
}

// renderText returns the text of n, one paragraph per block, paragraphs
// separated by blank lines.
func renderText(n *html.Node) string {
	var paras []string
	for _, line := range strings.Split(render.InnerText(n), "\n") {
		if line = collapse(line); line != "" {
			paras = append(paras, line)
		}
	}
	return strings.Join(paras, "\n\n")
}

func renderHTML(n *html.Node) string {
	var b bytes.Buffer
	if err := html.Render(&b, n); err != nil {
		return ""
	}
	return b.String()
}

// Pages about the site itself, by their last path segment or their title:
// policies, terms, about, contact, jobs, advertising, help.
var (
	rxSitePagePath  = regexp.MustCompile(`(?i)/(?:privacy(?:[-_]?policy)?|privacy[-_]notice|terms(?:[-_]?(?:of[-_]?)?(?:service|use|conditions))?|tos|cookies?(?:[-_]?policy)?|legal(?:[-_]?notice)?|disclaimer|copyright|imprint|impressum|about(?:[-_]?us)?|contact(?:[-_]?us)?|careers?|jobs?|join[-_]?us|advertis(?:e|ing)(?:[-_]?with[-_]?us)?|help|faq|guanyu(?:women)?|lianxi(?:women)?|zhaopin|banquan(?:shengming)?|mianze(?:shengming)?|yinsi(?:zhengce)?)(?:\.[a-z]+)?/?$`)
	rxSitePageTitle = regexp.MustCompile(`(?i)^(?:privacy policy|privacy notice|terms of (?:service|use)|terms and conditions|cookie policy|legal notice|disclaimer|about us|contact us|careers|jobs|work with us|advertise with us|help|faq|隐私政策|隐私条款|隐私声明|用户协议|服务条款|使用条款|版权声明|免责声明|法律声明|关于我们|联系我们|招聘信息|人才招聘|诚聘英才|加入我们|广告服务|网站地图|帮助中心|隱私政策|版權聲明|免責聲明|關於我們|聯絡我們|聯繫我們)(?:\s*[-_|｜丨—–:：]|$)`)
)

// rxTopicIndex matches the landing page of a topic (专题) section:
// /zhuanti/2025chunyun/, /special/budget/index.shtml. The stories inside
// it have their own pages.
var rxTopicIndex = regexp.MustCompile(`(?i)/(?:zhuanti|zt|special|specials|topics?|subjects?)/(?:[^/]+/)?(?:index(?:_\d+)?\.[a-z]+)?$`)

// sitePage reports whether a page is about the site rather than news, or
// the landing page of a topic section.
func sitePage(pageURL, title string) bool {
	if u, err := url.Parse(pageURL); err == nil && (rxSitePagePath.MatchString(u.Path) || rxTopicIndex.MatchString(u.Path)) {
		return true
	}
	return rxSitePageTitle.MatchString(strings.TrimSpace(title))
}

// rxPolicyTitle matches the titles of a site's legal pages in the languages
// of European news sites: the page's whole title is the page's name, with
// at most a few words after it ("Datenschutzerklärung WELT DIGITAL",
// "Privacy Statement"). News is never titled so, whatever its markup says.
var rxPolicyTitle = regexp.MustCompile(`(?i)^(?:privacy (?:policy|statement|notice)|cookie policy|terms of (?:service|use)|terms and conditions|legal notice|impressum|datenschutz(?:erklärung|hinweise|bestimmungen|richtlinie|information(?:en)?)?|nutzungsbedingungen|allgemeine geschäftsbedingungen|agb|mentions légales|politique de confidentialité|conditions générales d'utilisation|aviso legal|política de privacidad|política de privacidade|informativa (?:sulla )?privacy|note legali|privacyverklaring|colofon|polityka prywatności)(?:\s+\S+){0,3}$`)

// sitePageTitle reports whether title, the page's headline, is the name of
// one of the site's legal pages.
func sitePageTitle(title string) bool {
	title = strings.TrimSpace(title)
	return title != "" && rxPolicyTitle.MatchString(title)
}
