// Package gensite serves generated news sites for crawl benchmarks: list
// pages of 25 links chained by "next" links, and articles of random-word
// paragraphs, no two of them near-duplicates. A seed picks the words, so
// several distinct sites can be served side by side.
package gensite

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
)

// PerList is the number of article links on one list page.
const PerList = 25

// words is the vocabulary of the articles: 2,400 made-up words of two or
// three syllables.
var words = func() []string {
	syl := strings.Fields("ba ce di fo gu ha je ki lo mu na pe ri so tu va we xi yo za bri cla dro fle gri")
	var out []string
	for _, a := range syl {
		for _, b := range syl {
			out = append(out, a+b)
			for _, c := range syl[:3] {
				out = append(out, a+b+c)
			}
		}
	}
	return out
}()

// Site is a generated news site: "/" redirects to /list/1/, list pages
// /list/1/ … link PerList articles each and the next list page, and
// articles /news/0.html … hold a headline, a publish date and six
// paragraphs of 45 random words. It is an http.Handler.
type Site struct {
	n      int
	lists  int
	bodies []string
	mux    *http.ServeMux
}

// New generates a site of n articles. The same n and seed give the same
// site; different seeds give sites that share no article text.
func New(n int, seed uint64) *Site {
	s := &Site{n: n, lists: (n + PerList - 1) / PerList, bodies: make([]string, n)}
	r := rand.New(rand.NewPCG(uint64(n), 7^seed))
	word := func() string { return words[r.IntN(len(words))] }
	for i := range s.bodies {
		var b strings.Builder
		title := fmt.Sprintf("Story %d: %s %s %s", i, word(), word(), word())
		fmt.Fprintf(&b, "<!doctype html><html lang=en><head><title>%s - Gen Daily</title>"+
			`<meta property="og:type" content="article"><meta property="article:published_time" content="2025-03-%02dT08:00:00Z"></head>`+
			`<body><nav><a href="/">Home</a></nav><article><h1>%s</h1>`, title, 1+i%28, title)
		for p := 0; p < 6; p++ {
			b.WriteString("<p>")
			for w := 0; w < 45; w++ {
				if w > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(word())
			}
			b.WriteString(".</p>")
		}
		b.WriteString(`</article><footer>Gen Daily</footer></body></html>`)
		s.bodies[i] = b.String()
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/" {
			http.NotFound(w, req)
			return
		}
		http.Redirect(w, req, "/list/1/", http.StatusFound)
	})
	s.mux.HandleFunc("/list/{n}/", func(w http.ResponseWriter, req *http.Request) {
		var k int
		if _, err := fmt.Sscan(req.PathValue("n"), &k); err != nil || k < 1 || k > s.lists {
			http.NotFound(w, req)
			return
		}
		writeHTML(w, s.listPage(k))
	})
	s.mux.HandleFunc("/news/{f}", func(w http.ResponseWriter, req *http.Request) {
		var i int
		if _, err := fmt.Sscanf(req.PathValue("f"), "%d.html", &i); err != nil || i < 0 || i >= n {
			http.NotFound(w, req)
			return
		}
		writeHTML(w, s.bodies[i])
	})
	return s
}

// ServeHTTP serves the site.
func (s *Site) ServeHTTP(w http.ResponseWriter, req *http.Request) { s.mux.ServeHTTP(w, req) }

// Articles is the number of articles.
func (s *Site) Articles() int { return s.n }

// Lists is the number of list pages.
func (s *Site) Lists() int { return s.lists }

// Pages is the number of pages a crawl from "/" fetches: the front page
// (a redirect), the list pages and the articles.
func (s *Site) Pages() int { return 1 + s.lists + s.n }

// Article returns the HTML of article i (0 ≤ i < Articles), served at
// ArticlePath(i).
func (s *Site) Article(i int) string { return s.bodies[i] }

// ArticlePath is the path article i is served at.
func ArticlePath(i int) string { return fmt.Sprintf("/news/%d.html", i) }

// listPage renders list page k: its articles' links, each with a date,
// and the next list page's link.
func (s *Site) listPage(k int) string {
	var links []string
	for i := (k - 1) * PerList; i < min(k*PerList, s.n); i++ {
		links = append(links, ArticlePath(i))
	}
	if k < s.lists {
		links = append(links, fmt.Sprintf("/list/%d/", k+1))
	}
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>Gen Daily</title></head><body><h1>Gen Daily</h1><ul>")
	for _, l := range links {
		fmt.Fprintf(&b, `<li><a href="%s">Story %s</a> <span>2025-02-18</span></li>`, l, l)
	}
	b.WriteString("</ul></body></html>")
	return b.String()
}

func writeHTML(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, s)
}
