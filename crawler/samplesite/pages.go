package samplesite

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const (
	frontPageSize    = 6
	categoryPageSize = 3
	fbclid           = "IwAR2Fq7xZk0samplesiteYv3Lq9"
)

var hotSearches = []string{"人工智能", "春运", "机器人"}

// link is a named href.
type link struct {
	Name, Href string
	Active     bool
}

// card is an article as list pages, sidebars and related blocks show it.
type card struct {
	Title, Href, Excerpt, DateText string
	Author, Category               link
	Views, Comments                int
	CommentsHref                   string
	Sticky                         bool
}

// chrome is what every Chinese page shows around its content.
type chrome struct {
	SiteName  string
	Nav       []link
	Hot       []card
	HotSearch []link
	TagCloud  []link
	Cal       calendar
	IsFront   bool
}

type calDay struct {
	Day  int // 0 for an empty cell
	Href string
}

type calendar struct {
	Title                                    string
	Weeks                                    [][]calDay
	PrevHref, PrevLabel, NextHref, NextLabel string
}

// articleView is the data of one article page, whatever its layout.
type articleView struct {
	chrome
	Title, Canonical, Path, Description, Keywords string
	PostID                                        int
	MetaCharset                                   string // "" leaves the charset undeclared in the page
	Category                                      link
	Authors                                       []link
	Publisher                                     link
	DateText, DateISO, ModifiedISO                string
	TimeTag, MetaTags                             bool
	JSONLD                                        template.JS
	Image, OGImage                                string
	Body                                          template.HTML
	Editor, EditorCode                            string
	Views                                         int
	Tags                                          []link
	Prev, Next                                    *card
	Related                                       []card
	Comments                                      []comment
	Share                                         []link
}

// listView is the data of a list page: front, category, tag, author, search or date.
type listView struct {
	chrome
	Title, Heading, Intro, Canonical string
	Focus                            *card
	Items                            []card
	Empty                            string
	Pages                            []link
	PrevHref, NextHref               string
	Query                            string
}

// plainView is the data of a simple page: about, private memo, login, errors.
type plainView struct {
	chrome
	Title, Heading, Canonical string
	Meta                      string
	Paras                     []string
	Login                     bool
}

func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// serveArticle serves article pages and answers 404 for anything unknown.
func (s *Site) serveArticle(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	e, gone := s.find(r.URL.Path)
	if e == nil && !gone {
		if alt, _ := s.find(r.URL.Path + "/"); alt != nil {
			s.mu.RUnlock()
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		}
	}
	if e == nil {
		v := s.plain("", "")
		s.mu.RUnlock()
		if gone {
			v.Title, v.Heading = "该文章已被删除", "410 该文章已被删除"
			v.Paras = []string{"您访问的文章已被删除或撤稿。"}
			s.render(w, r, http.StatusGone, "page", v)
			return
		}
		v.Title, v.Heading = "页面未找到", "404 页面未找到"
		v.Paras = []string{"抱歉,您访问的页面不存在,请返回首页继续浏览。"}
		s.render(w, r, http.StatusNotFound, "page", v)
		return
	}
	v := s.articleView(e, origin(r))
	name, charset, modified := "article-"+e.layout, e.Charset, e.modified
	s.mu.RUnlock()

	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, v); err != nil {
		http.Error(w, "render: "+err.Error(), http.StatusInternalServerError)
		return
	}
	body, ctype, err := encodePage(buf.Bytes(), charset)
	if err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(body)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:10])+`"`)
	w.Header().Set("Cache-Control", "max-age=0, must-revalidate")
	http.ServeContent(w, r, "", modified, bytes.NewReader(body))
}

// find returns the live article at p, or reports whether a removed one was there.
func (s *Site) find(p string) (e *entry, gone bool) {
	for _, x := range s.entries {
		if x.Path == p {
			if !x.gone {
				return x, false
			}
			gone = true
		}
	}
	return nil, gone
}

// encodePage encodes a rendered UTF-8 page in charset and returns the Content-Type to send.
// GBK is declared only by the page's <meta>, GB18030 only by the header.
func encodePage(b []byte, charset string) ([]byte, string, error) {
	switch charset {
	case "gbk":
		out, err := encoding.HTMLEscapeUnsupported(simplifiedchinese.GBK.NewEncoder()).Bytes(b)
		return out, "text/html", err
	case "gb18030":
		out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(b)
		return out, "text/html; charset=GB18030", err
	default:
		return b, "text/html; charset=utf-8", nil
	}
}

func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "render: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if status != http.StatusOK {
		w.WriteHeader(status)
		w.Write(buf.Bytes())
		return
	}
	// Like a site behind a CDN, list pages carry an ETag of their bytes and
	// answer a matching If-None-Match with 304.
	sum := sha256.Sum256(buf.Bytes())
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:10])+`"`)
	w.Header().Set("Cache-Control", "max-age=0, must-revalidate")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(buf.Bytes()))
}

func (s *Site) articleView(e *entry, origin string) articleView {
	cat, _ := categoryBySlug(e.category)
	v := articleView{
		chrome:      s.chrome(e.category, s.defaultMonth()),
		Title:       e.Title,
		Canonical:   origin + e.Path,
		Path:        e.Path,
		Description: e.excerpt(),
		PostID:      10300 + int(hash32(e.Path)%700),
		Category:    link{Name: cat.Name, Href: "/category/" + cat.Slug + "/"},
		Publisher:   authorLink(publisherName),
		DateISO:     e.Published.Format(time.RFC3339),
		ModifiedISO: e.modified.Format(time.RFC3339),
		TimeTag:     e.timeTag,
		MetaTags:    e.metaTags,
		Image:       e.image,
		OGImage:     origin + e.image,
		Body:        template.HTML(e.bodyWithFigure()),
		Editor:      e.Editor,
		EditorCode:  e.editorCode,
		Views:       views(e.Path),
		Comments:    e.comments(),
	}
	if e.Lang == "en" {
		v.SiteName = "Yunfan News"
	}
	switch e.Charset {
	case "gb18030":
	case "gbk":
		v.MetaCharset = "gbk"
	default:
		v.MetaCharset = "utf-8"
	}
	switch {
	case e.Lang == "en":
		v.DateText = e.Published.Format("January 2, 2006 15:04 MST")
	case e.dateStyle == "iso":
		v.DateText = e.Published.Format("2006-01-02 15:04")
	default:
		v.DateText = formatCN(e.Published)
	}
	var kw []string
	for _, a := range e.Authors {
		v.Authors = append(v.Authors, authorLink(a))
	}
	for _, t := range e.tags {
		v.Tags = append(v.Tags, link{Name: t.Name, Href: "/tag/" + t.Slug + "/"})
		kw = append(kw, t.Name)
	}
	v.Keywords = strings.Join(kw, ",")
	if e.metaTags {
		v.JSONLD = jsonLD(e, v.Canonical, origin)
	}
	if e.Lang == "en" {
		q := url.QueryEscape(v.Canonical)
		v.Share = []link{
			{Name: "Facebook", Href: "https://www.facebook.com/sharer/sharer.php?u=" + q},
			{Name: "X", Href: "https://twitter.com/intent/tweet?url=" + q},
			{Name: "LinkedIn", Href: "https://www.linkedin.com/sharing/share-offsite/?url=" + q},
			{Name: "Email", Href: "mailto:?subject=" + url.PathEscape(e.Title) + "&body=" + q},
		}
	}
	prev, next := s.prevNext(e)
	if prev != nil {
		c := s.card(prev)
		c.DateText = formatCN(prev.Published)
		v.Prev = &c
	}
	if next != nil {
		c := s.card(next)
		c.DateText = formatCN(next.Published)
		v.Next = &c
	}
	for _, x := range s.related(e) {
		c := s.card(x)
		if e.layout == "html5" || e.layout == "en" {
			c.Href += "?fbclid=" + fbclid
		}
		v.Related = append(v.Related, c)
	}
	return v
}

// bodyWithFigure returns the body HTML with the lead image inserted after the first
// paragraph; the caption repeats the title, as portals do.
func (e *entry) bodyWithFigure() string {
	if e.image == "" {
		return e.bodyHTML
	}
	t := html.EscapeString(e.Title)
	src := html.EscapeString(e.image)
	var fig string
	switch e.layout {
	case "portal":
		fig = fmt.Sprintf(`<p align="center"><img src="%s" border="0" alt="%s" width="600" height="338"></p>`+"\n"+
			`<p align="center" class="tuzhu">%s</p>`+"\n", src, t, t)
	case "html5":
		fig = fmt.Sprintf(`<figure class="pic"><img src="%s" alt="%s" loading="lazy"><figcaption>%s</figcaption></figure>`+"\n", src, t, t)
	default:
		fig = fmt.Sprintf(`<figure class="wp-block-image size-large"><img decoding="async" src="%s" alt="%s" width="800" height="450" class="wp-image-%d"><figcaption class="wp-element-caption">%s</figcaption></figure>`+"\n",
			src, t, 2000+hash32(e.image)%900, t)
	}
	// Insert after the first paragraph, and for the portal again after the fourth.
	out, rest := "", e.bodyHTML
	for n := 1; ; n++ {
		i := strings.Index(rest, "</p>")
		if i < 0 || (n > 1 && e.layout != "portal") || n > 4 {
			break
		}
		out += rest[:i+len("</p>")] + "\n"
		rest = strings.TrimPrefix(rest[i+len("</p>"):], "\n")
		if n == 1 || n == 4 {
			out += fig
		}
	}
	if out == "" {
		return fig + e.bodyHTML
	}
	return out + rest
}

func jsonLD(e *entry, canonical, origin string) template.JS {
	type thing struct {
		Type string `json:"@type"`
		Name string `json:"name"`
		URL  string `json:"url,omitempty"`
	}
	doc := struct {
		Context          string   `json:"@context"`
		Type             string   `json:"@type"`
		Headline         string   `json:"headline"`
		Description      string   `json:"description"`
		Image            []string `json:"image,omitempty"`
		DatePublished    string   `json:"datePublished"`
		DateModified     string   `json:"dateModified"`
		Author           []thing  `json:"author"`
		Publisher        thing    `json:"publisher"`
		MainEntityOfPage string   `json:"mainEntityOfPage"`
		InLanguage       string   `json:"inLanguage"`
	}{
		Context:          "https://schema.org",
		Type:             "NewsArticle",
		Headline:         e.Title,
		Description:      e.excerpt(),
		DatePublished:    e.Published.Format(time.RFC3339),
		DateModified:     e.modified.Format(time.RFC3339),
		Publisher:        thing{Type: "Organization", Name: siteName, URL: origin + "/"},
		MainEntityOfPage: canonical,
		InLanguage:       map[string]string{"zh": "zh-CN", "en": "en"}[e.Lang],
	}
	if e.Lang == "en" {
		doc.Publisher.Name = "Yunfan News"
	}
	if e.image != "" {
		doc.Image = []string{origin + e.image}
	}
	for _, a := range e.Authors {
		doc.Author = append(doc.Author, thing{Type: "Person", Name: a, URL: origin + "/author/" + authorSlug(a) + "/"})
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // plain strings only
	}
	return template.JS(b)
}

func authorLink(name string) link { return link{Name: name, Href: "/author/" + authorSlug(name) + "/"} }

func (s *Site) card(e *entry) card {
	cat, _ := categoryBySlug(e.category)
	c := card{
		Title:        e.Title,
		Href:         e.Path,
		Excerpt:      e.excerpt(),
		DateText:     formatCNDay(e.Published),
		Category:     link{Name: cat.Name, Href: "/category/" + cat.Slug + "/"},
		Views:        views(e.Path),
		Comments:     len(e.comments()),
		CommentsHref: e.Path + "#comments",
		Sticky:       e.pinned,
	}
	if e.Lang == "en" {
		c.DateText = e.Published.Format("Jan 2, 2006")
		c.Category = link{Name: "English", Href: "/en/"}
	}
	if len(e.Authors) > 0 {
		c.Author = authorLink(e.Authors[0])
	}
	return c
}

// prevNext returns the 上一篇 (older) and 下一篇 (newer) articles of e. The chain runs
// through list-reachable and prevnext-only Chinese articles by date; articles outside the
// chain point into it but are not part of it.
func (s *Site) prevNext(e *entry) (prev, next *entry) {
	if e.Lang != "zh" {
		return nil, nil
	}
	inChain := func(x *entry) bool {
		return !x.gone && x.Lang == "zh" && (x.Reach == ReachList || x.Reach == ReachPrevNext)
	}
	if !inChain(e) {
		inChain = listedZH
	}
	chain := s.sorted()
	chain = slices.DeleteFunc(chain, func(x *entry) bool { return x != e && !inChain(x) })
	i := slices.Index(chain, e)
	if i > 0 {
		prev = chain[i-1]
	}
	if i+1 < len(chain) {
		next = chain[i+1]
	}
	return prev, next
}

// related returns the five posts of e's 相关推荐 block: related-only articles that name e,
// then list-reachable articles of the same category, then the newest others.
func (s *Site) related(e *entry) []*entry {
	var out []*entry
	add := func(x *entry) {
		if len(out) < 5 && x != e && !x.gone && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	for _, x := range s.entries {
		if x.Reach == ReachRelated && slices.Contains(x.featuredIn, e.id) {
			add(x)
		}
	}
	if e.Lang == "en" {
		for _, x := range s.newest(func(x *entry) bool { return x.listed() && x.Lang == "en" }) {
			add(x)
		}
		for _, x := range s.newest(listedZH) {
			if len(out) < 4 {
				add(x)
			}
		}
		return out
	}
	for _, x := range s.newest(func(x *entry) bool { return listedZH(x) && x.category == e.category }) {
		add(x)
	}
	for _, x := range s.newest(listedZH) {
		add(x)
	}
	return out
}

func (s *Site) chrome(activeCat string, month time.Time) chrome {
	c := chrome{SiteName: siteName, Cal: s.calendar(month)}
	for _, cat := range categories {
		c.Nav = append(c.Nav, link{Name: cat.Name, Href: "/category/" + cat.Slug + "/", Active: cat.Slug == activeCat})
	}
	hot := s.newest(listedZH)
	slices.SortStableFunc(hot, func(a, b *entry) int { return views(b.Path) - views(a.Path) })
	for _, e := range hot[:min(5, len(hot))] {
		h := s.card(e)
		h.Href += "?utm_source=sidebar&utm_medium=hot"
		c.Hot = append(c.Hot, h)
	}
	for _, q := range hotSearches {
		c.HotSearch = append(c.HotSearch, link{Name: q, Href: searchHref(q)})
	}
	c.TagCloud = s.tagCloud()
	return c
}

func (s *Site) tagCloud() []link {
	var out []link
	seen := map[string]bool{}
	for _, e := range s.newest(listedZH) {
		for _, t := range e.tags {
			if !seen[t.Slug] {
				seen[t.Slug] = true
				out = append(out, link{Name: t.Name, Href: "/tag/" + t.Slug + "/"})
			}
		}
	}
	return out
}

// defaultMonth is the calendar month shown on pages that are not date archives: the month
// of the newest listed article.
func (s *Site) defaultMonth() time.Time {
	if l := s.newest(listedZH); len(l) > 0 {
		return l[0].Published.In(s.shanghai)
	}
	return time.Date(2025, 1, 1, 0, 0, 0, 0, s.shanghai)
}

// calendar builds the month widget. Its previous/next links go on forever (years 1 to
// 9999): a crawler trap.
func (s *Site) calendar(t time.Time) calendar {
	y, m := t.Year(), t.Month()
	first := time.Date(y, m, 1, 0, 0, 0, 0, s.shanghai)
	days := first.AddDate(0, 1, -1).Day()
	posts := map[int]bool{}
	for _, e := range s.entries {
		p := e.Published.In(s.shanghai)
		if listedZH(e) && p.Year() == y && p.Month() == m {
			posts[p.Day()] = true
		}
	}
	c := calendar{Title: fmt.Sprintf("%d年%d月", y, int(m))}
	week := make([]calDay, (int(first.Weekday())+6)%7)
	for d := 1; d <= days; d++ {
		cd := calDay{Day: d}
		if posts[d] {
			cd.Href = fmt.Sprintf("/date/%04d/%02d/%02d/", y, int(m), d)
		}
		week = append(week, cd)
		if len(week) == 7 {
			c.Weeks = append(c.Weeks, week)
			week = nil
		}
	}
	if len(week) > 0 {
		for len(week) < 7 {
			week = append(week, calDay{})
		}
		c.Weeks = append(c.Weeks, week)
	}
	if p := first.AddDate(0, -1, 0); p.Year() >= 1 {
		c.PrevHref = fmt.Sprintf("/date/%04d/%02d/?cal=prev", p.Year(), int(p.Month()))
		c.PrevLabel = fmt.Sprintf("%d月", int(p.Month()))
	}
	if n := first.AddDate(0, 1, 0); n.Year() <= 9999 {
		c.NextHref = fmt.Sprintf("/date/%04d/%02d/?cal=next", n.Year(), int(n.Month()))
		c.NextLabel = fmt.Sprintf("%d月", int(n.Month()))
	}
	return c
}

func pageCount(n, size int) int { return max(1, (n+size-1)/size) }

// frontEntries are the articles on the front page and its pagination: pinned ones first.
func (s *Site) frontEntries() []*entry {
	pinned := s.newest(func(e *entry) bool { return e.pinned && !e.gone })
	return append(pinned, s.newest(func(e *entry) bool { return listedZH(e) && !e.pinned })...)
}

func (s *Site) inCategory(slug string) []*entry {
	return s.newest(func(e *entry) bool { return listedZH(e) && e.category == slug })
}

// paginate fills v with page n of items; base is the first page's path.
func (s *Site) paginate(v *listView, items []*entry, n, size int, base string) bool {
	pages := pageCount(len(items), size)
	if n < 1 || n > pages {
		return false
	}
	href := func(p int) string {
		if p == 1 {
			return base
		}
		return fmt.Sprintf("%spage/%d/", base, p)
	}
	for _, e := range items[(n-1)*size : min(n*size, len(items))] {
		v.Items = append(v.Items, s.card(e))
	}
	if pages > 1 {
		for p := 1; p <= pages; p++ {
			v.Pages = append(v.Pages, link{Name: strconv.Itoa(p), Href: href(p), Active: p == n})
		}
	}
	if n > 1 {
		v.PrevHref = href(n - 1)
	}
	if n < pages {
		v.NextHref = href(n + 1)
	}
	v.Canonical = href(n)
	return true
}

// pageNumber reads {n} of a /page/{n}/ route; 0 means the route has none.
func pageNumber(r *http.Request) (int, bool) {
	raw := r.PathValue("n")
	if raw == "" {
		return 1, true
	}
	n, err := strconv.Atoi(raw)
	return n, err == nil && n >= 1 && strconv.Itoa(n) == raw
}

func (s *Site) serveFront(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("s") && r.PathValue("n") == "" {
		s.serveSearch(w, r)
		return
	}
	n, ok := pageNumber(r)
	if ok && n == 1 && r.PathValue("n") != "" {
		http.Redirect(w, r, "/", http.StatusMovedPermanently)
		return
	}
	s.mu.RLock()
	v := listView{chrome: s.chrome("", s.defaultMonth()), Title: siteName + " - 新闻资讯门户", Heading: "最新文章"}
	v.IsFront = true
	items := s.frontEntries()
	if n == 1 {
		if l := s.newest(listedZH); len(l) > 0 {
			f := s.card(l[0])
			f.Href += "?utm_source=homepage&utm_medium=focus&utm_campaign=toutiao"
			v.Focus = &f
		}
	}
	ok = ok && s.paginate(&v, items, n, frontPageSize, "/")
	s.mu.RUnlock()
	if !ok {
		s.notFound(w)
		return
	}
	if n > 1 {
		v.Title = fmt.Sprintf("%s - 第%d页", siteName, n)
	}
	s.render(w, r, http.StatusOK, "list", v)
}

func (s *Site) serveSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("s"))
	s.mu.RLock()
	v := listView{chrome: s.chrome("", s.defaultMonth()), Query: q}
	v.Title = fmt.Sprintf("“%s”的搜索结果 - %s", q, siteName)
	v.Heading = fmt.Sprintf("搜索结果:%s", q)
	if q != "" {
		lq := strings.ToLower(q)
		for _, e := range s.newest((*entry).listed) {
			if strings.Contains(strings.ToLower(e.Title+"\n"+e.text), lq) {
				v.Items = append(v.Items, s.card(e))
			}
		}
	}
	s.mu.RUnlock()
	v.Empty = "没有找到与关键词相关的内容,请换个关键词试试。"
	s.render(w, r, http.StatusOK, "list", v)
}

func (s *Site) serveCategory(w http.ResponseWriter, r *http.Request) {
	cat, ok := categoryBySlug(r.PathValue("slug"))
	n, okN := pageNumber(r)
	if !ok || !okN {
		s.notFound(w)
		return
	}
	base := "/category/" + cat.Slug + "/"
	if n == 1 && r.PathValue("n") != "" {
		http.Redirect(w, r, base, http.StatusMovedPermanently)
		return
	}
	s.mu.RLock()
	v := listView{chrome: s.chrome(cat.Slug, s.defaultMonth()), Title: cat.Name + " - " + siteName, Heading: cat.Name}
	ok = s.paginate(&v, s.inCategory(cat.Slug), n, categoryPageSize, base)
	s.mu.RUnlock()
	if !ok {
		s.notFound(w)
		return
	}
	if n > 1 {
		v.Title = fmt.Sprintf("%s - 第%d页 - %s", cat.Name, n, siteName)
	}
	v.Empty = "该栏目暂无文章。"
	s.render(w, r, http.StatusOK, "list", v)
}

func (s *Site) serveTag(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	s.mu.RLock()
	v := listView{chrome: s.chrome("", s.defaultMonth())}
	// Every tag an article page links to has a page; it lists only the
	// list-reachable articles, so it never reveals the hidden ones.
	for _, e := range s.entries {
		for _, t := range e.tags {
			if t.Slug == slug && !e.gone {
				v.Heading = "标签:" + t.Name
			}
		}
	}
	for _, e := range s.newest(listedZH) {
		for _, t := range e.tags {
			if t.Slug == slug {
				v.Items = append(v.Items, s.card(e))
			}
		}
	}
	s.mu.RUnlock()
	if v.Heading == "" {
		s.notFound(w)
		return
	}
	v.Title = v.Heading + " - " + siteName
	s.render(w, r, http.StatusOK, "list", v)
}

func (s *Site) serveAuthor(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	s.mu.RLock()
	name := ""
	for _, e := range s.entries {
		for _, a := range append([]string{publisherName}, e.Authors...) {
			if authorSlug(a) == slug && !e.gone {
				name = a
			}
		}
	}
	v := listView{chrome: s.chrome("", s.defaultMonth())}
	for _, e := range s.newest((*entry).listed) {
		if (name == publisherName && e.Lang == "zh") || slices.Contains(e.Authors, name) {
			v.Items = append(v.Items, s.card(e))
		}
	}
	s.mu.RUnlock()
	if name == "" {
		s.notFound(w)
		return
	}
	v.Title = name + " - 作者 - " + siteName
	v.Heading = "作者:" + name
	v.Intro = fmt.Sprintf("%s的文章", name)
	v.Empty = "该作者暂无公开文章。"
	s.render(w, r, http.StatusOK, "list", v)
}

// serveDate serves /date/YYYY/MM/ and /date/YYYY/MM/DD/ archives for any year 1-9999,
// whatever the ?cal= query says.
func (s *Site) serveDate(w http.ResponseWriter, r *http.Request) {
	num := func(name string, width, lo, hi int) (int, bool) {
		raw := r.PathValue(name)
		n, err := strconv.Atoi(raw)
		return n, err == nil && len(raw) == width && n >= lo && n <= hi
	}
	y, okY := num("y", 4, 1, 9999)
	m, okM := num("m", 2, 1, 12)
	d := 0
	okD := true
	if r.PathValue("d") != "" {
		d, okD = num("d", 2, 1, 31)
	}
	if !okY || !okM || !okD {
		s.notFound(w)
		return
	}
	month := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, s.shanghai)
	if d > month.AddDate(0, 1, -1).Day() {
		s.notFound(w)
		return
	}
	s.mu.RLock()
	v := listView{chrome: s.chrome("", month)}
	for _, e := range s.newest(listedZH) {
		p := e.Published.In(s.shanghai)
		if p.Year() == y && int(p.Month()) == m && (d == 0 || p.Day() == d) {
			v.Items = append(v.Items, s.card(e))
		}
	}
	s.mu.RUnlock()
	v.Heading = fmt.Sprintf("%d年%d月", y, m)
	if d > 0 {
		v.Heading += fmt.Sprintf("%d日", d)
	}
	v.Heading += " 的文章"
	v.Title = v.Heading + " - " + siteName
	v.Empty = "这段时间暂无文章。"
	s.render(w, r, http.StatusOK, "list", v)
}

func (s *Site) serveEnglishIndex(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	var v listView
	for _, e := range s.newest(func(e *entry) bool { return e.listed() && e.Lang == "en" }) {
		v.Items = append(v.Items, s.card(e))
	}
	s.mu.RUnlock()
	v.Title = "Yunfan News English"
	s.render(w, r, http.StatusOK, "en-index", v)
}

func (s *Site) plain(title, heading string) plainView {
	return plainView{chrome: s.chrome("", s.defaultMonth()), Title: title, Heading: heading}
}

func (s *Site) notFound(w http.ResponseWriter) {
	s.mu.RLock()
	v := s.plain("页面未找到", "404 页面未找到")
	s.mu.RUnlock()
	v.Paras = []string{"抱歉,您访问的页面不存在,请返回首页继续浏览。"}
	s.render(w, nil, http.StatusNotFound, "page", v)
}

func (s *Site) serveAbout(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	v := s.plain("关于我们 - "+siteName, "关于我们")
	s.mu.RUnlock()
	v.Paras = []string{
		"云帆网创办于2012年,是一家立足华南、面向全国的综合性新闻资讯网站,设有国内、国际、财经、科技、社会、文化、体育等栏目,并推出英文频道。",
		"我们坚持真实、准确、客观的原则,欢迎读者通过页面底部的联系方式提供新闻线索、反映问题。部分文章转载自合作媒体,版权归原作者所有。",
		"投稿、合作及转载授权事宜,请在工作日与编辑部联系,我们会在三个工作日内答复。",
	}
	s.render(w, r, http.StatusOK, "page", v)
}

func (s *Site) servePrivate(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	v := s.plain("内部通报:二季度重点选题策划会安排 - "+siteName, "内部通报:二季度重点选题策划会安排")
	s.mu.RUnlock()
	v.Canonical = origin(r) + privatePath
	v.Meta = "编辑部 2025-03-28 17:40"
	v.Paras = []string{
		"各采编部门:经编委会研究,定于4月2日下午两点在三楼会议室召开二季度重点选题策划会,请各部门负责人准时参加。",
		"会议将重点讨论一季度经济数据解读、清明假期出行服务、春季农业生产等选题的分工安排。请各部门提前梳理本部门的选题清单,于会前一天报送总编办。",
		"本通报仅限内部传阅,请勿转发或对外公开。",
	}
	s.render(w, r, http.StatusOK, "page", v)
}

func (s *Site) serveAdmin(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	v := s.plain("登录 - "+siteName, "登录")
	s.mu.RUnlock()
	v.Login = true
	s.render(w, r, http.StatusOK, "page", v)
}
