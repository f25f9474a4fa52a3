package crawler

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/net/html"

	"newsarc/store"
)

// ShapeExtractor is an Extractor that also weighs what the crawl has judged
// of other pages: shape tells, for any URL, how many pages whose URL has
// the same shape this run archived as articles and judged not articles so
// far. A page that is unclear on its own (no date, no markup; or a page
// that links to many articles from a URL shape of lists) is judged with
// its site's evidence. Extractors without it are called as Extractors.
type ShapeExtractor interface {
	Extractor
	ExtractWithShapes(ctx context.Context, pageURL string, h http.Header, body []byte,
		shape func(u *url.URL) (articles, others int)) (*store.Article, error)
}

// ParsingExtractor is a ShapeExtractor that parses a page once for both the
// crawl's link discovery and its extraction: Parse decodes and parses the
// page as extraction does, the crawl reads the links from doc, and
// ExtractParsed extracts from doc (changing it) and text.
type ParsingExtractor interface {
	ShapeExtractor
	Parse(contentType string, body []byte) (doc *html.Node, text []byte, err error)
	ExtractParsed(ctx context.Context, pageURL string, h http.Header, body []byte, doc *html.Node, text []byte,
		shape func(u *url.URL) (articles, others int)) (*store.Article, error)
}

// shapeCount is what a run judged of the pages of one URL shape.
type shapeCount struct{ articles, others int }

// shapeCount returns the count of u's shape; the caller holds r.mu.
func (r *run) shapeCount(u *url.URL) *shapeCount {
	k := urlShape(u)
	c := r.shapes[k]
	if c == nil {
		c = &shapeCount{}
		r.shapes[k] = c
	}
	return c
}

// shapeVerdicts is the shape function handed to a ShapeExtractor.
func (r *run) shapeVerdicts(u *url.URL) (articles, others int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.shapes[urlShape(u)]; c != nil {
		return c.articles, c.others
	}
	return 0, 0
}

var (
	rxShapeDigits = regexp.MustCompile(`\d+`)
	// rxShapeSlug matches a path segment that names one item: words
	// joined by hyphens or underscores, or a long run of letters and
	// digits (an ID).
	rxShapeSlug = regexp.MustCompile(`^[^/]*[\p{L}\d]+(?:[-_+][\p{L}\d]+){2,}[^/]*$|^[\p{L}\d]{20,}$`)
	rxShapeExt  = regexp.MustCompile(`(\.[A-Za-z]{2,5})$`)
)

// urlShape is the shape of a URL within its site: the host, the path with
// numbers as 0 and item names (slugs) as *, keeping a file extension, and
// the query's keys. /news/2025/02/18/council-delays-vote.html and
// /news/2025/03/01/mayor-resigns-after-vote.html share a shape; /politics/
// and /sport/ do not.
func urlShape(u *url.URL) string {
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	for i, s := range segs {
		if dec, err := url.PathUnescape(s); err == nil {
			s = dec
		}
		ext := rxShapeExt.FindString(s)
		switch {
		case rxShapeSlug.MatchString(strings.TrimSuffix(s, ext)):
			segs[i] = "*" + ext
		default:
			segs[i] = rxShapeDigits.ReplaceAllString(s, "0")
		}
	}
	var keys []string
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return u.Host + "/" + strings.Join(segs, "/") + "?" + strings.Join(keys, "&")
}
