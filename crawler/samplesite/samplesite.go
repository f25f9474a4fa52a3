// Package samplesite serves an embedded fixture news site over net/http, for tests and for
// `newsarc demo`.
//
// The site imitates a Chinese WordPress-style news portal (云帆网) with a small English
// edition. Its article pages come in four layouts (a WordPress theme with div.entry-content,
// a table-based portal with div#artibody and pinyin class names, an HTML5 <article> theme,
// and the English edition) and carry the usual clutter: navigation, breadcrumbs, related
// posts (相关推荐), prev/next links, comments and a comment form, a cookie banner, a sidebar
// and a footer. Around them are list pages, tag, author, search and calendar pages, an
// RSS feed, a sitemap, robots.txt, crawler traps and misbehaving routes under /trouble/.
// Articles reports the ground truth for every article so tests can check a crawler and an
// extractor against it; SetBody, Remove and Add change the site between crawls.
//
// The package owns only the fixture: it never crawls, extracts or stores anything.
package samplesite

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Site is the fixture news site. It is safe for concurrent use.
type Site struct {
	tmpl     *template.Template
	shanghai *time.Location
	handler  http.Handler

	mu      sync.RWMutex
	entries []*entry // every article, including removed ones

	reqMu    sync.Mutex
	requests map[string]int
}

// Article is the ground truth for one article page the site serves.
type Article struct {
	Path        string    // URL path without host, e.g. "/2025/02/18/sovereign-ai/"
	Title       string    // the title as a reader sees it, without the site-name suffix
	Lang        string    // "zh" or "en"
	Published   time.Time // in the page's zone (Asia/Shanghai for Chinese pages)
	Authors     []string  // bylines, in page order
	Editor      string    // the 责任编辑 name, without the staff code after it; "" if none
	Term        string    // occurs in this article's body and on no other page
	BodySnippet string    // one full sentence from the body as first published
	Reach       string    // how a crawler first reaches it: ReachList, ReachRelated, ReachPrevNext or ReachFeed
	Charset     string    // "utf-8", "gbk" (declared by <meta> only) or "gb18030" (declared by the header only)
}

// New returns the site with its embedded content. It panics if the embedded content is
// broken, which the package tests rule out.
func New() *Site {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		shanghai = time.FixedZone("CST", 8*60*60) // no tzdata on this system
	}
	entries, err := loadEntries(shanghai)
	if err != nil {
		panic(err)
	}
	s := &Site{
		tmpl:     template.Must(template.New("").ParseFS(siteFS, "site/*.html")),
		shanghai: shanghai,
		entries:  entries,
		requests: map[string]int{},
	}
	s.handler = s.count(s.routes())
	return s
}

// Handler returns the site's HTTP handler. Every call returns the same handler.
func (s *Site) Handler() http.Handler { return s.handler }

func (s *Site) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveFront) // also /?s= search
	mux.HandleFunc("GET /page/{n}/{$}", s.serveFront)
	mux.HandleFunc("GET /category/{slug}/{$}", s.serveCategory)
	mux.HandleFunc("GET /category/{slug}/page/{n}/{$}", s.serveCategory)
	mux.HandleFunc("GET /tag/{slug}/{$}", s.serveTag)
	mux.HandleFunc("GET /author/{slug}/{$}", s.serveAuthor)
	mux.HandleFunc("GET /date/{y}/{m}/{$}", s.serveDate)
	mux.HandleFunc("GET /date/{y}/{m}/{d}/{$}", s.serveDate)
	mux.HandleFunc("GET /en/{$}", s.serveEnglishIndex)
	mux.HandleFunc("GET /about/{$}", s.serveAbout)
	mux.HandleFunc("GET "+privatePath, s.servePrivate)
	mux.HandleFunc("GET "+adminPath, s.serveAdmin)
	mux.HandleFunc("GET /wp-content/uploads/", serveImage)
	mux.HandleFunc("GET /robots.txt", s.serveRobots)
	mux.HandleFunc("GET /feed/{$}", s.serveFeed)
	mux.HandleFunc("GET /sitemap.xml", s.serveSitemap)
	mux.HandleFunc("GET /trouble/slow", serveSlow)
	mux.HandleFunc("GET /trouble/429", serveTooMany)
	mux.HandleFunc("GET /trouble/503", serveUnavailable)
	mux.HandleFunc("GET /trouble/500", serveInternalError)
	mux.HandleFunc("GET /trouble/redirect-loop", redirectTo("/trouble/redirect-loop2"))
	mux.HandleFunc("GET /trouble/redirect-loop2", redirectTo("/trouble/redirect-loop"))
	mux.HandleFunc("GET /trouble/huge", serveHuge)
	mux.HandleFunc("GET /trouble/gzip-bomb", serveGzipBomb)
	mux.HandleFunc("GET /trouble/malformed", serveMalformed)
	mux.HandleFunc("GET /", s.serveArticle)
	return mux
}

// count records each request under its path and query string.
func (s *Site) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		s.reqMu.Lock()
		s.requests[key]++
		s.reqMu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// Requests returns how many times each path was requested, keyed by path plus "?query"
// when there was one.
func (s *Site) Requests() map[string]int {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}

// ResetRequests forgets every counted request.
func (s *Site) ResetRequests() {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	clear(s.requests)
}

// Articles lists every article page the site serves (the ground truth for tests), oldest
// first. Removed articles are left out; added ones are included.
func (s *Site) Articles() []Article {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Article
	for _, e := range s.sorted() {
		if e.gone {
			continue
		}
		a := e.Article
		a.Authors = slices.Clone(a.Authors)
		out = append(out, a)
	}
	return out
}

// NonArticlePaths lists pages that are not articles and must never be archived as one:
// the front page and its pagination, category pages and their pagination, tag, author,
// search, calendar and about pages, and the English index. Every one answers 200.
func (s *Site) NonArticlePaths() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []string{"/", "/en/", "/about/"}
	if n := pageCount(len(s.frontEntries()), frontPageSize); n > 1 {
		for p := 2; p <= n; p++ {
			out = append(out, fmt.Sprintf("/page/%d/", p))
		}
	}
	for _, c := range categories {
		out = append(out, "/category/"+c.Slug+"/")
		n := pageCount(len(s.inCategory(c.Slug)), categoryPageSize)
		for p := 2; p <= n; p++ {
			out = append(out, fmt.Sprintf("/category/%s/page/%d/", c.Slug, p))
		}
	}
	for _, t := range s.tagCloud() {
		out = append(out, t.Href)
	}
	seen := map[string]bool{}
	for _, e := range s.entries {
		if e.gone {
			continue
		}
		for _, a := range append([]string{publisherName}, e.Authors...) {
			if h := "/author/" + authorSlug(a) + "/"; !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	for _, q := range hotSearches {
		out = append(out, searchHref(q))
	}
	cal := s.calendar(s.defaultMonth())
	out = append(out, cal.PrevHref, cal.NextHref)
	for _, w := range cal.Weeks {
		for _, d := range w {
			if d.Href != "" {
				out = append(out, d.Href)
			}
		}
	}
	return out
}

func searchHref(q string) string { return "/?s=" + url.QueryEscape(q) }

// Paths robots.txt disallows but pages link to.
const (
	privatePath = "/private/2025/internal-memo/"
	adminPath   = "/wp-admin/"
)

// DisallowedPaths lists paths that robots.txt disallows and that crawled pages link to
// (the front page and the footer), so a crawler that ignores robots.txt would fetch them.
// They answer 200; the private one looks like an article.
func (s *Site) DisallowedPaths() []string { return []string{privatePath, adminPath} }

// Boilerplate lists strings that appear on article pages but must never appear in an
// extracted body: related-post and comment-form headings, comments, prev/next labels,
// footer contact lines, cookie banners and the English edition's page furniture.
func (s *Site) Boilerplate() []string {
	out := []string{
		"相关推荐", "发表回复", "您的邮箱地址不会被公开", "必填项已用", "上一篇", "下一篇",
		footerPhone, "QQ交谈", footerEmail, "节假日休息", "关注微信", "本站使用Cookie",
		"Related stories", "Share this article", "Sign up for our newsletter", "We use cookies",
	}
	for _, c := range commentPool {
		out = append(out, c.Text)
	}
	return out
}

const (
	footerPhone = "400-018-3377"
	footerEmail = "service@yunfan.example"
)

// SetBody replaces the body of the article at path with paragraphHTML (trusted HTML such
// as "<p>…</p><p>…</p>"), moves its modification time one hour on and so changes its ETag
// and Last-Modified. Articles keeps reporting the original Term and BodySnippet. It
// panics if no article is served at path.
func (s *Site) SetBody(path, paragraphHTML string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.live(path)
	if e == nil {
		panic(fmt.Sprintf("samplesite: SetBody: no article at %q", path))
	}
	e.setBodyHTML(paragraphHTML)
	e.modified = e.modified.Add(time.Hour)
}

// EditWord makes an editor's correction to the article at path: the first old in its body
// becomes replacement, nothing else changes but its modification time, which moves one
// hour on and so changes its ETag and Last-Modified. It reports whether old was in the
// body, and panics if no article is served at path.
func (s *Site) EditWord(path, old, replacement string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.live(path)
	if e == nil {
		panic(fmt.Sprintf("samplesite: EditWord: no article at %q", path))
	}
	if !strings.Contains(e.bodyHTML, old) {
		return false
	}
	e.setBodyHTML(strings.Replace(e.bodyHTML, old, replacement, 1))
	e.modified = e.modified.Add(time.Hour)
	return true
}

// Remove makes the article at path answer 410 Gone and drops it from every list, feed,
// sitemap and link block. It panics if no article is served at path.
func (s *Site) Remove(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.live(path)
	if e == nil {
		panic(fmt.Sprintf("samplesite: Remove: no article at %q", path))
	}
	e.gone = true
}

// Add publishes a new article with body bodyHTML (trusted HTML). It is list-reachable:
// pinned to the top of the front page and listed on its category (财经 for Chinese, the
// English index for Lang "en"), author pages, feed and sitemap. Reach is forced to "list";
// empty Lang and Charset default to "zh" and "utf-8"; a zero Published means one hour
// after the newest article. Add panics if Path or Title is empty or Path is already served.
func (s *Site) Add(a Article, bodyHTML string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.Path == "" || !strings.HasPrefix(a.Path, "/") || a.Title == "" {
		panic(fmt.Sprintf("samplesite: Add: need a Path starting with / and a Title, have %q %q", a.Path, a.Title))
	}
	if s.live(a.Path) != nil {
		panic(fmt.Sprintf("samplesite: Add: %q is already served", a.Path))
	}
	a.Reach = ReachList
	a.Lang = orDefault(a.Lang, "zh")
	a.Charset = strings.ToLower(orDefault(a.Charset, "utf-8"))
	a.Authors = slices.Clone(a.Authors)
	if a.Published.IsZero() {
		for _, e := range s.entries {
			if e.Published.After(a.Published) {
				a.Published = e.Published
			}
		}
		a.Published = a.Published.Add(time.Hour).In(s.shanghai)
	}
	e := &entry{
		Article:   a,
		id:        "added-" + a.Path,
		category:  "caijing",
		layout:    "wp",
		dateStyle: "cn",
		timeTag:   true,
		metaTags:  true,
		modified:  a.Published,
		pinned:    true,
		order:     len(s.entries),
	}
	if a.Lang == "en" {
		e.layout = "en"
	}
	e.setBodyHTML(bodyHTML)
	s.entries = append(s.entries, e)
}

// live returns the served article at path, or nil.
func (s *Site) live(path string) *entry {
	for _, e := range s.entries {
		if e.Path == path && !e.gone {
			return e
		}
	}
	return nil
}

// sorted returns the entries oldest first.
func (s *Site) sorted() []*entry {
	out := slices.Clone(s.entries)
	slices.SortStableFunc(out, func(a, b *entry) int {
		if c := a.Published.Compare(b.Published); c != 0 {
			return c
		}
		return a.order - b.order
	})
	return out
}

// newest returns the entries that match keep, newest first.
func (s *Site) newest(keep func(*entry) bool) []*entry {
	all := s.sorted()
	var out []*entry
	for i := len(all) - 1; i >= 0; i-- {
		if keep(all[i]) {
			out = append(out, all[i])
		}
	}
	return out
}

func listedZH(e *entry) bool { return e.listed() && e.Lang == "zh" }
