package samplesite

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// page is one fetched response with its body decoded to UTF-8.
type page struct {
	status int
	header http.Header
	raw    []byte
	body   string
}

func newServer(t testing.TB) (*Site, *httptest.Server) {
	t.Helper()
	s := New()
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv
}

// noRedirect is a client that reports redirects instead of following them.
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

func fetch(t testing.TB, rawURL string, header ...string) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", rawURL, err)
	}
	return page{status: resp.StatusCode, header: resp.Header, raw: raw, body: decode(t, resp.Header, raw)}
}

// decode honours a GB18030 header or a gbk <meta>, the two non-UTF-8 cases the site serves.
func decode(t testing.TB, h http.Header, raw []byte) string {
	t.Helper()
	var err error
	out := raw
	switch {
	case strings.Contains(strings.ToLower(h.Get("Content-Type")), "charset=gb18030"):
		out, err = simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
	case bytes.Contains(raw, []byte("charset=gbk")):
		out, err = simplifiedchinese.GBK.NewDecoder().Bytes(raw)
	}
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return string(out)
}

func TestArticlesServed(t *testing.T) {
	s, srv := newServer(t)
	for _, a := range s.Articles() {
		t.Run(a.Path, func(t *testing.T) {
			p := fetch(t, srv.URL+a.Path)
			if p.status != http.StatusOK {
				t.Fatalf("status %d", p.status)
			}
			for _, want := range []string{a.Title, a.BodySnippet, a.Term, `rel="canonical" href="` + srv.URL + a.Path + `"`} {
				if want == a.Title && a.Lang == "en" {
					want = strings.ReplaceAll(want, "'", "&#39;")
				}
				if !strings.Contains(p.body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if a.Editor != "" && !strings.Contains(p.body, "责任编辑:"+a.Editor) {
				t.Errorf("page lacks editor line for %q", a.Editor)
			}
			for _, name := range a.Authors {
				if !strings.Contains(p.body, ">"+name+"<") {
					t.Errorf("page lacks author link %q", name)
				}
			}
			if p.header.Get("ETag") == "" || p.header.Get("Last-Modified") == "" {
				t.Errorf("missing validators: ETag %q, Last-Modified %q", p.header.Get("ETag"), p.header.Get("Last-Modified"))
			}
			ctype := p.header.Get("Content-Type")
			switch a.Charset {
			case "gbk":
				if ctype != "text/html" {
					t.Errorf("Content-Type %q, want bare text/html", ctype)
				}
				if utf8.Valid(p.raw) {
					t.Error("GBK page is valid UTF-8")
				}
				if !strings.Contains(p.body, `<meta http-equiv="Content-Type" content="text/html; charset=gbk"`) {
					t.Error("GBK page does not declare its charset in <meta>")
				}
			case "gb18030":
				if ctype != "text/html; charset=GB18030" {
					t.Errorf("Content-Type %q", ctype)
				}
				if utf8.Valid(p.raw) {
					t.Error("GB18030 page is valid UTF-8")
				}
				if strings.Contains(strings.ToLower(p.body), "charset") {
					t.Error("GB18030 page declares a charset in the HTML")
				}
			default:
				if ctype != "text/html; charset=utf-8" || !utf8.Valid(p.raw) {
					t.Errorf("Content-Type %q, valid UTF-8 %v", ctype, utf8.Valid(p.raw))
				}
			}
		})
	}
}

func TestArticleGroundTruth(t *testing.T) {
	s := New()
	count := map[string]int{}
	terms := map[string]string{}
	for _, a := range s.Articles() {
		count[a.Lang]++
		count[a.Reach]++
		count[a.Charset]++
		if other, ok := terms[a.Term]; ok {
			t.Errorf("term %q used by %s and %s", a.Term, other, a.Path)
		}
		terms[a.Term] = a.Path
		if n := utf8.RuneCountInString(a.Term); a.Lang == "zh" && (n < 2 || n > 4) {
			t.Errorf("%s: term %q has %d characters", a.Path, a.Term, n)
		}
		if strings.Contains(a.Title, a.Term) {
			t.Errorf("%s: term %q is in the title, which other pages show", a.Path, a.Term)
		}
		if a.Published.Year() != 2025 || len(a.Authors) == 0 || a.BodySnippet == "" {
			t.Errorf("%s: published %v, authors %v, snippet %q", a.Path, a.Published, a.Authors, a.BodySnippet)
		}
		if _, off := a.Published.Zone(); a.Lang == "zh" && off != 8*60*60 {
			t.Errorf("%s: zone offset %d, want +08:00", a.Path, off)
		}
	}
	want := map[string]int{
		"zh": 14, "en": 2, ReachRelated: 2, ReachPrevNext: 2, ReachFeed: 1, ReachList: 11, "gbk": 1, "gb18030": 1,
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%d articles with %q, want %d", count[k], k, n)
		}
	}
	pub := s.Articles()[0].Published
	if got := formatCN(pub); got != "2025年1月20日 上午8:15" {
		t.Errorf("formatCN = %q", got)
	}
}

func TestEntriesHaveEnoughProse(t *testing.T) {
	s := New()
	for _, e := range s.entries {
		min := 500 // runes
		if e.Lang == "en" {
			min = 900
		}
		if n := utf8.RuneCountInString(e.text); n < min || len(e.paras) < 5 || len(e.paras) > 12 {
			t.Errorf("%s: %d runes in %d paragraphs", e.Path, n, len(e.paras))
		}
		if !strings.Contains(e.text, e.BodySnippet) || !strings.Contains(e.text, e.Term) {
			t.Errorf("%s: body lacks its snippet or term", e.Path)
		}
	}
}

// allPages fetches every page the site names: articles, non-article and disallowed pages.
func allPages(t *testing.T, s *Site, srv *httptest.Server) map[string]page {
	t.Helper()
	out := map[string]page{}
	var paths []string
	for _, a := range s.Articles() {
		paths = append(paths, a.Path)
	}
	paths = append(paths, s.NonArticlePaths()...)
	paths = append(paths, s.DisallowedPaths()...)
	paths = append(paths, "/feed/", "/sitemap.xml")
	for _, p := range paths {
		out[p] = fetch(t, srv.URL+p)
	}
	return out
}

func TestTermOnlyOnItsPage(t *testing.T) {
	s, srv := newServer(t)
	pages := allPages(t, s, srv)
	for _, a := range s.Articles() {
		for p, pg := range pages {
			if p != a.Path && strings.Contains(pg.body, a.Term) {
				t.Errorf("term %q of %s occurs on %s", a.Term, a.Path, p)
			}
		}
	}
}

func TestBoilerplate(t *testing.T) {
	s, srv := newServer(t)
	var articlePages []string
	for _, a := range s.Articles() {
		articlePages = append(articlePages, fetch(t, srv.URL+a.Path).body)
	}
	for _, b := range s.Boilerplate() {
		if !slices.ContainsFunc(articlePages, func(p string) bool { return strings.Contains(p, b) }) {
			t.Errorf("boilerplate %q is on no article page", b)
		}
		for _, e := range s.entries {
			if strings.Contains(e.text, b) {
				t.Errorf("boilerplate %q is in the body of %s", b, e.Path)
			}
		}
	}
}

func TestRobots(t *testing.T) {
	s, srv := newServer(t)
	p := fetch(t, srv.URL+"/robots.txt")
	for _, line := range []string{"User-agent: *", "Disallow: /private/", "Disallow: /wp-admin/", "Sitemap: " + srv.URL + "/sitemap.xml"} {
		if !strings.Contains(p.body, line+"\n") {
			t.Errorf("robots.txt lacks %q:\n%s", line, p.body)
		}
	}
	front := fetch(t, srv.URL+"/").body
	for _, d := range s.DisallowedPaths() {
		if !strings.HasPrefix(d, "/private/") && !strings.HasPrefix(d, "/wp-admin/") {
			t.Errorf("%s is not disallowed", d)
		}
		if st := fetch(t, srv.URL+d).status; st != http.StatusOK {
			t.Errorf("%s: status %d", d, st)
		}
		if !strings.Contains(front, `href="`+d+`"`) {
			t.Errorf("front page does not link %s", d)
		}
	}
}

func TestNonArticlePaths(t *testing.T) {
	s, srv := newServer(t)
	articles := map[string]bool{}
	for _, a := range s.Articles() {
		articles[a.Path] = true
	}
	paths := s.NonArticlePaths()
	for _, want := range []string{"/", "/page/2/", "/category/keji/", "/category/keji/page/2/", "/about/", "/en/"} {
		if !slices.Contains(paths, want) {
			t.Errorf("NonArticlePaths lacks %s", want)
		}
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			if articles[p] {
				t.Fatal("is an article")
			}
			if st := fetch(t, srv.URL+p).status; st != http.StatusOK {
				t.Errorf("status %d", st)
			}
		})
	}
}

func TestFeedAndSitemap(t *testing.T) {
	s, srv := newServer(t)
	var feed struct {
		Channel struct {
			Links []string `xml:"link"` // <link> and <atom:link>
			Items []struct {
				Title   string `xml:"title"`
				Link    string `xml:"link"`
				PubDate string `xml:"pubDate"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(fetch(t, srv.URL+"/feed/").raw, &feed); err != nil {
		t.Fatalf("feed: %v", err)
	}
	if len(feed.Channel.Items) != feedSize || !slices.Contains(feed.Channel.Links, srv.URL+"/") {
		t.Errorf("feed has %d items, links %q", len(feed.Channel.Items), feed.Channel.Links)
	}
	for _, it := range feed.Channel.Items {
		if !strings.HasPrefix(it.Link, srv.URL+"/") {
			t.Errorf("feed link %q is not on %s", it.Link, srv.URL)
		}
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
			t.Errorf("pubDate: %v", err)
		}
	}
	var sm struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(fetch(t, srv.URL+"/sitemap.xml").raw, &sm); err != nil {
		t.Fatalf("sitemap: %v", err)
	}
	var got, want []string
	for _, u := range sm.URLs {
		got = append(got, u.Loc)
	}
	for _, a := range s.Articles() {
		if a.Reach == ReachList {
			want = append(want, srv.URL+a.Path)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("sitemap lists\n%v\nwant\n%v", got, want)
	}
}

var linkRE = regexp.MustCompile(`(?:href|src)="([^"]*)"|<(?:link|loc)>([^<]*)<`)

// crawl follows every same-host link from the front page and the feed, as a crawler that
// obeys robots.txt and skips calendar-trap links would, and returns for each visited page
// (path, tracking query dropped) the pages that link to it.
func crawl(t *testing.T, srv *httptest.Server) (inbound map[string]map[string]bool, visited map[string]bool) {
	t.Helper()
	base, _ := url.Parse(srv.URL + "/")
	inbound = map[string]map[string]bool{}
	visited = map[string]bool{"/": true, "/feed/": true}
	queue := []string{"/", "/feed/"}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		body := fetch(t, srv.URL+from).body
		for _, m := range linkRE.FindAllStringSubmatch(body, -1) {
			ref := strings.ReplaceAll(m[1]+m[2], "&amp;", "&")
			u, err := base.Parse(ref)
			if err != nil || u.Host != base.Host {
				continue
			}
			q := u.Query()
			if q.Has("cal") || strings.HasPrefix(u.Path, "/private/") || strings.HasPrefix(u.Path, "/wp-admin/") || strings.HasPrefix(u.Path, "/wp-content/") {
				continue
			}
			for k := range q {
				if strings.HasPrefix(k, "utm_") || k == "fbclid" || k == "replytocom" {
					q.Del(k)
				}
			}
			to := u.Path
			if len(q) > 0 {
				to += "?" + q.Encode()
			}
			if inbound[to] == nil {
				inbound[to] = map[string]bool{}
			}
			inbound[to][from] = true
			if !visited[to] {
				visited[to] = true
				queue = append(queue, to)
			}
		}
	}
	return inbound, visited
}

func TestReach(t *testing.T) {
	s, srv := newServer(t)
	inbound, visited := crawl(t, srv)
	articles := map[string]Article{}
	for _, a := range s.Articles() {
		articles[a.Path] = a
	}
	for p := range visited {
		if strings.HasPrefix(p, "/trouble/") {
			t.Errorf("%s is linked", p)
		}
	}
	for _, a := range articles {
		t.Run(a.Path, func(t *testing.T) {
			from := inbound[a.Path]
			if len(from) == 0 {
				t.Fatalf("not reachable (reach %s)", a.Reach)
			}
			var fromArticles, fromOthers []string
			for f := range from {
				if _, ok := articles[f]; ok {
					fromArticles = append(fromArticles, f)
				} else {
					fromOthers = append(fromOthers, f)
				}
			}
			switch a.Reach {
			case ReachList:
				if len(fromOthers) == 0 {
					t.Errorf("linked only from articles %v", fromArticles)
				}
			case ReachFeed:
				if !slices.Equal(fromOthers, []string{"/feed/"}) {
					t.Errorf("linked from non-article pages %v, want only /feed/", fromOthers)
				}
			case ReachRelated, ReachPrevNext:
				if len(fromOthers) > 0 {
					t.Errorf("linked from non-article pages %v", fromOthers)
				}
			}
			// Which block links it: ask the site's own link builders.
			var inRelated, inPrevNext bool
			for _, e := range s.entries {
				inRelated = inRelated || slices.ContainsFunc(s.related(e), func(x *entry) bool { return x.Path == a.Path })
				prev, next := s.prevNext(e)
				inPrevNext = inPrevNext || (prev != nil && prev.Path == a.Path) || (next != nil && next.Path == a.Path)
			}
			switch a.Reach {
			case ReachRelated:
				if !inRelated || inPrevNext {
					t.Errorf("in a related block %v, in prev/next %v", inRelated, inPrevNext)
				}
			case ReachPrevNext, ReachFeed:
				if inRelated || (a.Reach == ReachFeed && inPrevNext) {
					t.Errorf("in a related block %v, in prev/next %v", inRelated, inPrevNext)
				}
			}
		})
	}
	// The older prevnext-only article is reached only through the newer one.
	for _, a := range articles {
		if a.Reach != ReachPrevNext {
			continue
		}
		for f := range inbound[a.Path] {
			if articles[f].Reach == ReachPrevNext {
				return
			}
		}
	}
	t.Error("no prevnext-only article is reached only through another prevnext-only one")
}

func TestConditionalGet(t *testing.T) {
	s, srv := newServer(t)
	for _, a := range s.Articles() {
		first := fetch(t, srv.URL+a.Path)
		etag, lm := first.header.Get("ETag"), first.header.Get("Last-Modified")
		cases := []struct {
			name   string
			header []string
			want   int
		}{
			{"if-none-match", []string{"If-None-Match", etag}, http.StatusNotModified},
			{"if-modified-since", []string{"If-Modified-Since", lm}, http.StatusNotModified},
			{"other etag", []string{"If-None-Match", `"nope"`}, http.StatusOK},
			{"older date", []string{"If-Modified-Since", "Mon, 06 Jan 2025 00:00:00 GMT"}, http.StatusOK},
		}
		for _, c := range cases {
			if got := fetch(t, srv.URL+a.Path, c.header...); got.status != c.want {
				t.Errorf("%s %s: status %d, want %d", a.Path, c.name, got.status, c.want)
			}
		}
	}
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", name)
		}
	}()
	f()
}

func TestChanges(t *testing.T) {
	s, srv := newServer(t)
	var target, gone Article
	for _, a := range s.Articles() {
		switch {
		case a.Charset == "gbk":
			target = a
		case a.Reach == ReachList && gone.Path == "":
			gone = a
		}
	}

	t.Run("SetBody", func(t *testing.T) {
		before := fetch(t, srv.URL+target.Path)
		s.SetBody(target.Path, "<p>更正:本文第三段的数据已根据主办方最新通报作出修改。</p>")
		after := fetch(t, srv.URL+target.Path)
		if !strings.Contains(after.body, "更正:本文第三段") || strings.Contains(after.body, target.BodySnippet) {
			t.Error("body did not change")
		}
		if after.header.Get("ETag") == before.header.Get("ETag") || after.header.Get("Last-Modified") == before.header.Get("Last-Modified") {
			t.Error("validators did not change")
		}
		if p := fetch(t, srv.URL+target.Path, "If-None-Match", before.header.Get("ETag")); p.status != http.StatusOK {
			t.Errorf("stale If-None-Match: status %d", p.status)
		}
		if p := fetch(t, srv.URL+target.Path, "If-Modified-Since", before.header.Get("Last-Modified")); p.status != http.StatusOK {
			t.Errorf("stale If-Modified-Since: status %d", p.status)
		}
	})

	t.Run("Remove", func(t *testing.T) {
		s.Remove(gone.Path)
		if st := fetch(t, srv.URL+gone.Path).status; st != http.StatusGone {
			t.Errorf("status %d, want 410", st)
		}
		if slices.ContainsFunc(s.Articles(), func(a Article) bool { return a.Path == gone.Path }) {
			t.Error("Articles still lists it")
		}
		if strings.Contains(fetch(t, srv.URL+"/sitemap.xml").body, gone.Path) {
			t.Error("sitemap still lists it")
		}
		mustPanic(t, "second Remove", func() { s.Remove(gone.Path) })
	})

	t.Run("Add", func(t *testing.T) {
		a := Article{
			Path:    "/2025/05/06/new-post/",
			Title:   "五一假期国内出游人次创新高",
			Authors: []string{"林晓禾"},
			Term:    "出游",
		}
		s.Add(a, "<p>五一假期,全国国内出游人次和出游总花费均创历史同期新高。</p>")
		p := fetch(t, srv.URL+a.Path)
		if p.status != http.StatusOK || !strings.Contains(p.body, a.Title) || !strings.Contains(p.body, "出游总花费") {
			t.Errorf("status %d or content missing", p.status)
		}
		if !strings.Contains(fetch(t, srv.URL+"/").body, `href="`+a.Path+`"`) {
			t.Error("front page does not link the new article")
		}
		for _, feedish := range []string{"/feed/", "/sitemap.xml"} {
			if !strings.Contains(fetch(t, srv.URL+feedish).body, srv.URL+a.Path) {
				t.Errorf("%s does not list the new article", feedish)
			}
		}
		got := s.Articles()
		added := got[len(got)-1]
		if added.Path != a.Path || added.Reach != ReachList || added.Lang != "zh" || added.Published.IsZero() {
			t.Errorf("Articles reports %+v", added)
		}
		mustPanic(t, "duplicate Add", func() { s.Add(a, "<p>x</p>") })
		mustPanic(t, "SetBody of unknown path", func() { s.SetBody("/nope/", "<p>x</p>") })
	})
}

func TestRequests(t *testing.T) {
	s, srv := newServer(t)
	fetch(t, srv.URL+"/robots.txt")
	s.ResetRequests()
	fetch(t, srv.URL+"/?s=abc")
	fetch(t, srv.URL+"/?s=abc")
	fetch(t, srv.URL+"/about/")
	got := s.Requests()
	want := map[string]int{"/?s=abc": 2, "/about/": 1}
	if len(got) != len(want) || got["/?s=abc"] != 2 || got["/about/"] != 1 {
		t.Errorf("Requests() = %v, want %v", got, want)
	}
}

func TestListPages(t *testing.T) {
	_, srv := newServer(t)
	cases := []struct {
		path   string
		status int
		want   []string
	}{
		{"/category/keji/", 200, []string{`<link rel="next" href="/category/keji/page/2/">`, "下一页", `href="/category/keji/page/2/">2</a>`}},
		{"/category/keji/page/2/", 200, []string{`<link rel="prev" href="/category/keji/">`, "上一页"}},
		{"/category/keji/page/1/", 301, nil},
		{"/category/keji/page/9/", 404, nil},
		{"/category/nope/", 404, nil},
		{"/page/2/", 200, []string{`<link rel="prev" href="/">`}},
		{"/?s=" + url.QueryEscape("春运"), 200, []string{"为期40天的春运落幕"}},
		{"/date/2025/05/?cal=next", 200, []string{`href="/date/2025/06/?cal=next"`, `href="/date/2025/04/?cal=prev"`}},
		{"/date/9999/12/?cal=next", 200, []string{`href="/date/9999/11/?cal=prev"`}},
		{"/date/10000/01/", 404, nil},
		{"/date/2025/02/30/", 404, nil},
		{"/tag/chunyun/", 200, []string{"为期40天的春运落幕"}},
		{"/author/linxiaohe/", 200, []string{"为期40天的春运落幕"}},
		{"/2025/02/22/chunyun-review", 301, nil},
		{"/2025/02/22/chunyun-review/?replytocom=3021&utm_source=x", 200, []string{"为期40天的春运落幕"}},
		{"/no/such/page/", 404, nil},
		{"/wp-content/uploads/2025/02/x.png", 200, nil},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			p := fetch(t, srv.URL+c.path)
			if p.status != c.status {
				t.Fatalf("status %d, want %d", p.status, c.status)
			}
			for _, w := range c.want {
				if !strings.Contains(p.body, w) {
					t.Errorf("lacks %q", w)
				}
			}
		})
	}
	if strings.Contains(fetch(t, srv.URL+"/date/9999/12/").body, "/date/10000/") {
		t.Error("calendar links past year 9999")
	}
}

func TestTrouble(t *testing.T) {
	_, srv := newServer(t)
	cases := []struct {
		path       string
		status     int
		retryAfter string
		location   string
	}{
		{"/trouble/429", 429, "2", ""},
		{"/trouble/503", 503, "5", ""},
		{"/trouble/500", 500, "", ""},
		{"/trouble/redirect-loop", 302, "", "/trouble/redirect-loop2"},
		{"/trouble/redirect-loop2", 302, "", "/trouble/redirect-loop"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			p := fetch(t, srv.URL+c.path)
			if p.status != c.status || p.header.Get("Retry-After") != c.retryAfter || p.header.Get("Location") != c.location {
				t.Errorf("status %d, Retry-After %q, Location %q", p.status, p.header.Get("Retry-After"), p.header.Get("Location"))
			}
		})
	}

	t.Run("/trouble/malformed", func(t *testing.T) {
		p := fetch(t, srv.URL+"/trouble/malformed")
		if p.status != 200 || !strings.Contains(p.body, "市政、排水和交警部门迅速启动应急响应") {
			t.Errorf("status %d", p.status)
		}
	})

	t.Run("/trouble/slow", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/trouble/slow", nil)
		if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want deadline exceeded", err)
		}
		// The handler itself must return once the request is cancelled.
		cctx, ccancel := context.WithCancel(context.Background())
		ccancel()
		rec := httptest.NewRecorder()
		serveSlow(rec, httptest.NewRequest(http.MethodGet, "/trouble/slow", nil).WithContext(cctx))
		if rec.Body.Len() != 0 {
			t.Error("cancelled slow request wrote a body")
		}
	})

	t.Run("/trouble/huge", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/trouble/huge")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil || n != hugeSize || resp.ContentLength != -1 {
			t.Errorf("read %d bytes (err %v, Content-Length %d), want %d streamed", n, err, resp.ContentLength, hugeSize)
		}
	})

	t.Run("/trouble/gzip-bomb", func(t *testing.T) {
		client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/trouble/gzip-bomb", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" || len(raw) > 2<<20 {
			t.Errorf("Content-Encoding %q, %d compressed bytes", resp.Header.Get("Content-Encoding"), len(raw))
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 4<<20) // a few members' worth; the whole is bombSize
		if _, err := io.ReadFull(zr, head); err != nil || bytes.ContainsFunc(head, func(r rune) bool { return r != 0 }) {
			t.Errorf("inflated prefix: err %v", err)
		}
		if members := len(raw) / len(raw[:bytes.Index(raw[10:], raw[:10])+10]); members*(1<<20) != bombSize {
			t.Errorf("%d members of 1 MiB, want %d bytes in all", members, bombSize)
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	s, srv := newServer(t)
	articles := s.Articles()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i, a := range articles {
			if a.Reach == ReachList && a.Lang == "zh" {
				s.SetBody(a.Path, "<p>修订后的正文。</p>")
			}
			s.Add(Article{Path: "/2025/06/0" + string(rune('1'+i%9)) + "/c" + string(rune('a'+i)) + "/", Title: "并发测试"}, "<p>正文</p>")
			s.Requests()
		}
	}()
	for _, a := range articles {
		fetch(t, srv.URL+a.Path)
		fetch(t, srv.URL+"/")
	}
	<-done
}
