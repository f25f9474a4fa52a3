package crawler

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestCanonicalize(t *testing.T) {
	base, _ := url.Parse("https://News.Example.com/2025/02/18/post/")
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"absolute", "https://news.example.com/a/b", "https://news.example.com/a/b", false},
		{"relative", "../other/", "https://news.example.com/2025/02/18/other/", false},
		{"host case and default port", "HTTPS://NEWS.example.COM:443/x", "https://news.example.com/x", false},
		{"keeps other port", "http://news.example.com:8080/x", "http://news.example.com:8080/x", false},
		{"fragment", "/a/#comments", "https://news.example.com/a/", false},
		{"utm", "/a/?utm_source=tw&utm_medium=social&id=7", "https://news.example.com/a/?id=7", false},
		{"fbclid gclid", "/a?fbclid=abc&gclid=def", "https://news.example.com/a", false},
		{"replytocom", "/a/?replytocom=123#respond", "https://news.example.com/a/", false},
		{"session id param", "/a?PHPSESSID=abcdef&page=2", "https://news.example.com/a?page=2", false},
		{"jsessionid path", "/a;jsessionid=ABC123?x=1", "https://news.example.com/a?x=1", false},
		{"sorted query", "/list?b=2&a=1", "https://news.example.com/list?a=1&b=2", false},
		{"empty path", "https://news.example.com", "https://news.example.com/", false},
		{"dot segments", "/a/./b/../c", "https://news.example.com/a/c", false},
		{"user info", "https://user:pw@news.example.com/a", "https://news.example.com/a", false},
		{"feed and internal campaign tags", "/a?at_medium=RSS&at_campaign=rss&itm_source=home&cmp=x&ocid=y&id=3", "https://news.example.com/a?id=3", false},
		{"amp output variant", "/a?outputType=amp", "https://news.example.com/a", false},
		{"wechat from", "/a.html?from=timeline&isappinstalled=0", "https://news.example.com/a.html", false},
		{"chinese path kept", "/新闻/2025/", "https://news.example.com/%E6%96%B0%E9%97%BB/2025/", false},
		{"mailto", "mailto:x@example.com", "", true},
		{"javascript", "javascript:void(0)", "", true},
		{"no host", "http:///x", "", true},
		{"dot host", "http://./", "", true},
		{"dots host", "http://../a", "", true},
		{"empty label", "http://a..b/", "", true},
		{"leading dot", "http://.a/", "", true},
		{"trailing dots", "http://h../", "http://h/", false},
		{"fqdn dot", "https://News.Example.com./a", "https://news.example.com/a", false},
		{"opaque", "http:news.example.com", "", true},
		{"port zero", "http://h:0/", "", true},
		{"port too big", "http://h:65536/", "", true},
		{"port leading zeros", "http://h:0080/", "http://h/", false},
		{"port leading zeros kept port", "http://h:08080/", "http://h:8080/", false},
		{"ipv6", "http://[2001:DB8:0:0::1]:8080/", "http://[2001:db8::1]:8080/", false},
		{"ipv6 zone", "http://[fe80::1%25eth0]/", "", true},
		{"odd host character", "http://a'b/", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonicalize(tt.in, base)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Canonicalize(%q) = %q, want error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Canonicalize(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Canonicalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// oddURLs are inputs whose canonical form once changed when canonicalised
// again, or that have no usable host.
var oddURLs = []string{
	"http://./", "http://h../", "http://h.", "http://H..:80/x", "https://h:443./",
	"http://h:0080/a", "http://[::1]:80/", "http://[::FFFF:127.0.0.1]/", "http://[fe80::1%25lo]/",
	"http://例子.测试/路径?键=值", "http://h/a;jsessionid=1;jsessionid=2?b=1&a=2&a=1",
	"http://h/a;js;sid=1essionid=2", "http://h/?a=1;b=2", "http://h/?%zz", "http://h/?=x&&y=",
	"http://h/%2F%2f/?q=a+b%20c", "http://h/a/../b/./c", "http://user:pw@h/#frag", "http://h/?",
	"HTTP://H/?utm_source=x&Utm_Medium=y", "http://h/?a=%FF", "http://h:/", "http:\\\\h\\a",
	"http://h/\u00e9t\u00e9", "http://h/%e9", "http://_h_.example/", "http://h/?a&a=&a=1",
}

// TestCanonicalizeIdempotent: the canonical form of a canonical URL is
// itself, and a URL newsarc refuses stays refused.
func TestCanonicalizeIdempotent(t *testing.T) {
	for _, in := range oddURLs {
		t.Run(in, func(t *testing.T) { checkIdempotent(t, in) })
	}
}

func checkIdempotent(t *testing.T, in string) {
	t.Helper()
	once, err := Canonicalize(in, nil)
	if err != nil {
		if !errors.Is(err, ErrBadURL) {
			t.Fatalf("Canonicalize(%q): error %v does not wrap ErrBadURL", in, err)
		}
		return
	}
	twice, err := Canonicalize(once, nil)
	if err != nil {
		t.Fatalf("Canonicalize(%q) = %q, which does not canonicalise again: %v", in, once, err)
	}
	if twice != once {
		t.Fatalf("Canonicalize(%q) = %q, canonicalised again %q", in, once, twice)
	}
	u, err := url.Parse(once)
	if err != nil || u.Hostname() == "" || strings.HasSuffix(u.Hostname(), ".") {
		t.Fatalf("Canonicalize(%q) = %q: no usable host (%v)", in, once, err)
	}
}

// FuzzCanonicalize checks that canonicalisation never panics, is
// idempotent, and never returns a URL without a host.
func FuzzCanonicalize(f *testing.F) {
	for _, s := range oddURLs {
		f.Add(s, "")
	}
	f.Add("../other/?b=2&a=1#x", "https://News.Example.com/2025/02/18/post/")
	f.Add("//other.example:0443/", "https://h/")
	f.Add(".", "http://h../a/")
	f.Fuzz(func(t *testing.T, ref, base string) {
		var b *url.URL
		if base != "" {
			var err error
			if b, err = url.Parse(base); err != nil {
				return
			}
		}
		once, err := Canonicalize(ref, b)
		if err != nil {
			return
		}
		checkIdempotent(t, once)
	})
}

func TestTrapReason(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"article", "https://x.com/2025/02/18/sovereign-ai/", ""},
		{"list page", "https://x.com/category/world/page/2/", ""},
		{"tag page", "https://x.com/tag/ai/", ""},
		{"wordpress search", "https://x.com/?s=%E4%B8%BB%E6%9D%83", "search"},
		{"search path", "https://x.com/search/ai", "search"},
		{"calendar param", "https://x.com/date/2025/02/?cal=2025-03", "calendar"},
		{"calendar path", "https://x.com/events/calendar/2031-01/", "calendar"},
		{"image", "https://x.com/wp-content/uploads/a.JPG", "not-html"},
		{"comment feed", "https://x.com/2025/02/18/post/feed/", "feed"},
		{"comment page", "https://x.com/2025/02/18/post/comment-page-3/", "comment-page"},
		{"admin", "https://x.com/wp-admin/post.php", "wp-admin"},
		{"path loop", "https://x.com/a/b/a/b/a/", "path-loop"},
		{"print", "https://x.com/a/?print=1", "print"},
		{"many params", "https://x.com/a?a=1&b=2&c=3&d=4&e=5&f=6&g=7", "many-params"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := TrapReason(u); got != tt.want {
				t.Errorf("TrapReason(%s) = %q, want %q", tt.url, got, tt.want)
			}
		})
	}
}

func TestTemplate(t *testing.T) {
	a, _ := url.Parse("https://x.com/category/world/page/2/")
	b, _ := url.Parse("https://x.com/category/world/page/37/")
	c, _ := url.Parse("https://x.com/category/sport/page/2/")
	if template(a) != template(b) {
		t.Errorf("pages 2 and 37 differ: %q vs %q", template(a), template(b))
	}
	if template(a) == template(c) {
		t.Errorf("different categories share template %q", template(a))
	}
}

func TestXMLLinks(t *testing.T) {
	base, _ := url.Parse("https://news.example.com/feed/")
	tests := []struct {
		name, body string
		want       []string
	}{
		{"rss", `<?xml version="1.0"?><rss version="2.0"><channel><title>N</title><link>https://news.example.com/</link>
<item><title>A</title><link>https://news.example.com/a/</link></item><item><title>B</title><link>/b/</link></item></channel></rss>`,
			[]string{"https://news.example.com/a/", "https://news.example.com/b/"}},
		{"atom", `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>N</title>
<entry><title>A</title><link rel="alternate" href="https://news.example.com/a/"/><id>x</id></entry></feed>`,
			[]string{"https://news.example.com/a/"}},
		{"sitemap index", `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example.com/sitemap-1.xml</loc></sitemap></sitemapindex>`,
			[]string{"https://news.example.com/sitemap-1.xml"}},
		{"google news sitemap", `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example.com/2025/02/18/a/</loc><news:news><news:publication_date>2025-02-18T05:44:00+08:00</news:publication_date><news:title>A</news:title></news:news></url></urlset>`,
			[]string{"https://news.example.com/2025/02/18/a/"}},
		{"broken", `<rss><channel><item><link>https://news.example.com/a/</link>`, []string{"https://news.example.com/a/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			seen := map[string]bool{}
			for _, l := range xmlLinks(base, []byte(tt.body)) {
				if !seen[l.URL] {
					seen[l.URL] = true
					got = append(got, l.URL)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("links = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVerdictReason(t *testing.T) {
	for in, want := range map[string]string{
		"extract: not an article: list page: 9 entries hold 75% of the text":                  "list page",
		"extract: not an article: teasers hold the page's prose (56 teaser blocks, 100% ...)": "teasers hold the page's prose",
		"extract: not an article: body too short (118 < 150)":                                 "body too short",
		"extract: not an article: link density 60%":                                           "link density",
		"not an article": "not an article",
	} {
		if got := verdictReason(errors.New(in)); got != want {
			t.Errorf("verdictReason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLShape(t *testing.T) {
	same := [][2]string{
		{"https://n.example/news/2025/02/18/council-delays-budget-vote.html", "https://n.example/news/2025/03/01/mayor-resigns-after-vote.html"},
		{"https://n.example/a/123456", "https://n.example/a/98765"},
		{"https://n.example/page/2", "https://n.example/page/3"},
		{"https://n.example/s?page=2&q=x", "https://n.example/s?q=y&page=9"},
		{"https://n.example/zh/202502/t20250218_12345.shtml", "https://n.example/zh/202503/t20250301_99999.shtml"},
	}
	for _, p := range same {
		a, _ := url.Parse(p[0])
		b, _ := url.Parse(p[1])
		if urlShape(a) != urlShape(b) {
			t.Errorf("%s and %s: shapes %q and %q differ", p[0], p[1], urlShape(a), urlShape(b))
		}
	}
	differ := [][2]string{
		{"https://n.example/politics/", "https://n.example/sport/"},
		{"https://n.example/news/council-delays-budget-vote.html", "https://n.example/tag/council-delays-budget/"},
		{"https://n.example/a/1", "https://m.example/a/1"},
	}
	for _, p := range differ {
		a, _ := url.Parse(p[0])
		b, _ := url.Parse(p[1])
		if urlShape(a) == urlShape(b) {
			t.Errorf("%s and %s: one shape %q", p[0], p[1], urlShape(a))
		}
	}
}
