package extract

import (
	"bytes"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsarc/store"
)

// NextPage returns the address of the next page of the article at pageURL
// when the article runs over several pages, else "". h and body are the
// response headers and raw body, as for Extract; body may be in any
// charset.
//
// A candidate is the page's <link rel="next"> or <a rel="next">, a link
// whose text is a paging word (下一页, 下页, 后一页, Next, Next page, ›, », >),
// and, when there is none of those, a link whose text is the number of the
// page after this one. A candidate counts only when it continues this
// article: same host, and its path is this page's with a page number added
// or raised ("content_1.htm" → "content_1_2.htm", "/a/123" → "/a/123/2",
// "-2", "index_2", "_p2", "?page=2", "?p=2", "?pn=2"). Links to the next
// article (下一篇, 下一条, "Next article") are not candidates, and a list
// page's pagination ("/news/index_2.html", "/news/page/2", "/news/?page=2")
// is not an article's.
//
// It reads only links, so it is cheap: the crawler can call it on every
// article page and merge the pages' bodies itself.
func NextPage(pageURL string, h http.Header, body []byte) string {
	cur, err := url.Parse(pageURL)
	if err != nil || cur.Host == "" {
		return ""
	}
	contentType := ""
	if h != nil {
		contentType = h.Get("Content-Type")
	}
	text, _, err := Decode(contentType, body)
	if err != nil {
		text = body
	}
	base := cur
	var relNext, wordNext, numNext []string
	curNum := pageNumber(cur)
	z := html.NewTokenizer(bytes.NewReader(text))
	var href string
	var inA bool
	var linkText strings.Builder
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return pickNext(cur, relNext, wordNext, numNext)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if a != atom.A && a != atom.Link && a != atom.Base {
				continue
			}
			var rel, ref string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "rel":
					rel = strings.ToLower(string(v))
				case "href":
					ref = strings.TrimSpace(string(v))
				}
			}
			switch a {
			case atom.Base:
				if b, err := cur.Parse(ref); err == nil && ref != "" {
					base = b
				}
			case atom.Link:
				if hasWordIn(rel, "next") && ref != "" {
					relNext = append(relNext, resolve(base, ref))
				}
			case atom.A:
				if hasWordIn(rel, "next") && ref != "" {
					relNext = append(relNext, resolve(base, ref))
				}
				if tt == html.StartTagToken {
					inA, href = true, resolve(base, ref)
					linkText.Reset()
				}
			}
		case html.TextToken:
			if inA && linkText.Len() < 200 {
				linkText.Write(z.Text())
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); inA && atom.Lookup(name) == atom.A {
				inA = false
				t := collapse(foldZH(linkText.String()))
				switch {
				case href == "":
				case rxNextWord.MatchString(t):
					wordNext = append(wordNext, href)
				case curNum >= 1 && t == strconv.Itoa(curNum+1):
					numNext = append(numNext, href)
				}
			}
		}
	}
}

// rxNextWord matches the text of a link to the next page (not the next
// article), on foldZH text.
var rxNextWord = regexp.MustCompile(`(?i)^(?:下一页|下页|后一页|下一頁|次のページ|次へ|다음 페이지|next|next page|next ›|next »|[›»>]|>>|››)$`)

// pickNext returns the first candidate that continues the article at cur:
// rel=next links first, then paging words, then the next page's number.
func pickNext(cur *url.URL, groups ...[]string) string {
	for _, g := range groups {
		for _, ref := range g {
			if u, err := url.Parse(ref); err == nil && ref != "" && continues(cur, u) {
				return ref
			}
		}
	}
	return ""
}

// rxPageSuffix matches a page number at the end of a path without its
// extension: "_2", "-2", "/2", "_p2", "/page/2" (group 1 is the number).
var rxPageSuffix = regexp.MustCompile(`(?i)(?:[_-]p?|/(?:page[_-]?|p)?)(\d{1,3})$`)

// pagingParams are the query parameters that number an article's pages.
var pagingParams = []string{"page", "p", "pg", "pn", "pageno", "pagenum", "curpage", "paged"}

// listStems are the last path segments that belong to list pages.
var listStems = map[string]bool{"": true, "index": true, "list": true, "default": true, "home": true, "main": true, "page": true,
	"news": true, "articles": true, "category": true, "tag": true, "tags": true, "archive": true, "archives": true, "search": true}

// pageStem splits a URL into the path of its first page (without
// extension and page number) and its page number (1 when none).
func pageStem(u *url.URL) (stem string, num int, byQuery bool) {
	p := u.Path
	p = strings.TrimSuffix(p, "/")
	ext := path.Ext(p)
	if len(ext) > 6 || strings.ContainsAny(ext, "_-") {
		ext = ""
	}
	p = strings.TrimSuffix(p, ext)
	num = 1
	q := u.Query()
	for _, k := range pagingParams {
		if v := q.Get(k); v != "" {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return p, n, true
			}
		}
	}
	if m := rxPageSuffix.FindStringSubmatchIndex(p); m != nil {
		if n, err := strconv.Atoi(p[m[2]:m[3]]); err == nil && n <= 200 {
			return p[:m[0]], n, false
		}
	}
	return p, num, false
}

// pageNumber returns the page number of u (1 when it has none).
func pageNumber(u *url.URL) int {
	_, n, _ := pageStem(u)
	return n
}

// continues reports whether next is a later page of the article at cur.
func continues(cur, next *url.URL) bool {
	if !strings.EqualFold(strings.TrimPrefix(cur.Hostname(), "www."), strings.TrimPrefix(next.Hostname(), "www.")) {
		return false
	}
	if next.Path == cur.Path && next.RawQuery == cur.RawQuery {
		return false
	}
	cs, cn, _ := pageStem(cur)
	ns, nn, byQuery := pageStem(next)
	// The page-1 URL carries no number: "content_4812093.htm" and
	// "content_4812093_2.htm"; its id may end in digits that look like
	// one: "/a/123" and "/a/123/2".
	curPath := strings.TrimSuffix(cur.Path, "/")
	curPath = strings.TrimSuffix(curPath, path.Ext(curPath))
	switch {
	case byQuery && next.Path != cur.Path:
		return false
	case ns == curPath && !byQuery:
		cn = 1
	case ns != cs:
		return false
	}
	if nn <= cn {
		return false
	}
	last := strings.ToLower(ns[strings.LastIndexByte(ns, '/')+1:])
	if listStems[last] {
		return false // a list page's pagination
	}
	if byQuery {
		// "article.php?id=88&page=2": the other parameters name the
		// article and stay.
		cq, nq := cur.Query(), next.Query()
		for _, k := range pagingParams {
			cq.Del(k)
			nq.Del(k)
		}
		if len(nq) > 0 && cq.Encode() == nq.Encode() {
			return true
		}
	}
	// An article's stem names it: an id or a slug ("content_4812093",
	// "2244", "my-story"), not a channel or list ("news", "index").
	return strings.ContainsAny(last, "0123456789-_")
}

// hasWordIn reports whether the space-separated list s holds w.
func hasWordIn(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}

// NextPage is NextPage as a method, so that an Extractor follows articles
// over several pages in a crawl (crawler.Paginator).
func (e *Extractor) NextPage(pageURL string, h http.Header, body []byte) string {
	return NextPage(pageURL, h, body)
}

// Merge appends the article extracted from a continuation page to the
// article of its first page: the body text and HTML, the images not
// already there, the word count, and the content hash and SimHash of the
// whole. The first page's metadata stands.
func (e *Extractor) Merge(first, next *store.Article) {
	if strings.TrimSpace(next.Text) == "" {
		return
	}
	if first.Text != "" {
		first.Text += "\n\n"
	}
	first.Text += next.Text
	first.HTML += next.HTML
	have := map[string]bool{}
	for _, im := range first.Images {
		have[im.URL] = true
	}
	for _, im := range next.Images {
		if !have[im.URL] {
			have[im.URL] = true
			first.Images = append(first.Images, im)
		}
	}
	first.WordCount = countWords(first.Text)
	first.ContentHash = store.HashText(first.Text)
	first.SimHash = ""
	if h := SimHash(first.Text); h != 0 {
		first.SimHash = store.FormatSimHash(h)
	}
}
