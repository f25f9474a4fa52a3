// Package hostilesite serves, over net/http, a news site that is hostile
// to crawlers, for the crawler's tests: one real article behind a gauntlet
// of routes that misbehave in every way newsarc has met, or been warned
// of. Its front page links to the gauntlet; the article itself is linked
// only from a page nested too deeply for the HTML parser.
//
// The gauntlet: an article whose continuation page redirects to another
// origin; a link to the same host on another port; a redirect loop; a
// redirect chain that ends on another host; a redirect to the cloud
// metadata address; links to private addresses; a page that never answers;
// 429 with Retry-After; 500; an endless body; a gzip bomb; a PNG served as
// text/html; a malformed Content-Type; and robots.txt in the variants
// RFC 9309 tells apart (Robots*). Elsewhere names the other origin (a
// listener the test owns and counts) that off-scope redirects and links
// point to.
//
// The package owns only the fixture: it never crawls, extracts or stores.
package hostilesite

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Robots selects the site's robots.txt.
type Robots int

const (
	// RobotsRules serves a file that disallows /private/ for every agent.
	RobotsRules Robots = iota
	// Robots404 answers 404: no file, everything may be fetched.
	Robots404
	// Robots503 answers 503: the server is unavailable, nothing may be
	// fetched in this run.
	Robots503
	// RobotsHuge serves a 12 MB file: /private/ disallowed in its first
	// lines, /late/ disallowed only past the first 500 KiB a crawler must
	// read.
	RobotsHuge
	// RobotsBadDelay serves a file with an unparsable Crawl-delay line
	// before the rule that disallows /private/.
	RobotsBadDelay
	// RobotsStall never answers: it waits until the client gives up or the
	// site is closed.
	RobotsStall
)

// Paths of the site.
const (
	ArticlePath      = "/news/2025/02/18/harbour-reopens.html"   // the one real article
	ContinuationPath = "/news/2025/02/18/harbour-reopens_2.html" // its "next page": a redirect to Elsewhere
	DeepPath         = "/deep.html"                              // 600 unclosed <div>s, then the link to the article
	PrivatePath      = "/private/memo.html"                      // an article robots.txt disallows
	LatePath         = "/late/notes.html"                        // disallowed past RobotsHuge's first 500 KiB only
	ImagePath        = "/photo.html"                             // a PNG served as text/html
	BadTypePath      = "/badtype.html"                           // Content-Type: t\xb7\xb7\xb7ext/html; charset=big5
	StallPath        = "/slow.html"                              // never answers
	MetadataPath     = "/metadata.html"                          // redirects to http://169.254.169.254/
)

// ArticleTitle and ArticleTerm identify the real article: the term occurs
// in its text and on no other page.
const (
	ArticleTitle = "Harbour reopens after winter storms"
	ArticleTerm  = "breakwater"
)

// HugeRobotsSize is how many bytes RobotsHuge serves.
const HugeRobotsSize = 12 << 20

// PrivateLinks are links on the front page to addresses a crawler must
// never connect to.
var PrivateLinks = []string{"http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/"}

// Site is the hostile site. It is safe for concurrent use.
type Site struct {
	robots    Robots
	elsewhere *url.URL // another origin (a port of the same host)
	otherHost *url.URL // another host name for the same listener
	handler   http.Handler
	closed    chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	requests map[string]int
}

// Option configures a Site.
type Option func(*Site)

// WithRobots selects the robots.txt variant (RobotsRules by default).
func WithRobots(r Robots) Option { return func(s *Site) { s.robots = r } }

// Elsewhere names another origin, such as a second httptest server: the
// continuation page and the redirect chain lead there, and the front page
// links to it. A loopback address (127.0.0.1) is also reached by the name
// "localhost", which the site uses as another host. By default the site
// points at http://elsewhere.invalid/, which never resolves.
func Elsewhere(base string) Option {
	return func(s *Site) {
		if u, err := url.Parse(base); err == nil && u.Host != "" {
			s.elsewhere = u
		}
	}
}

// New returns the site.
func New(opts ...Option) *Site {
	bombBody() // compressed before any request: see bombBody
	s := &Site{closed: make(chan struct{}), requests: map[string]int{}}
	s.elsewhere, _ = url.Parse("http://elsewhere.invalid/")
	for _, o := range opts {
		o(s)
	}
	other := *s.elsewhere
	if other.Hostname() == "127.0.0.1" {
		other.Host = "localhost:" + other.Port()
	}
	s.otherHost = &other
	s.handler = s.count(s.routes())
	return s
}

// Handler returns the site's HTTP handler.
func (s *Site) Handler() http.Handler { return s.handler }

// Close releases the requests the site keeps waiting (StallPath,
// RobotsStall), so that a test server closes at once.
func (s *Site) Close() { s.closeOnce.Do(func() { close(s.closed) }) }

// Requests returns how many times each path was requested.
func (s *Site) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}

func (s *Site) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// away returns the URL of path on the other origin, or on the other host.
func (s *Site) away(path string, otherHost bool) string {
	base := s.elsewhere
	if otherHost {
		base = s.otherHost
	}
	return base.ResolveReference(&url.URL{Path: path}).String()
}

func (s *Site) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveFront)
	mux.HandleFunc("GET /robots.txt", s.serveRobots)
	mux.HandleFunc("GET "+ArticlePath, page(article(1)))
	mux.HandleFunc("GET "+ContinuationPath, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.away(ContinuationPath, true), http.StatusFound)
	})
	mux.HandleFunc("GET "+DeepPath, page(deep()))
	mux.HandleFunc("GET "+PrivatePath, page(plain("Internal memo", "The memo robots.txt keeps from crawlers.")))
	mux.HandleFunc("GET "+LatePath, page(plain("Late notes", "Notes robots.txt disallows past its first 500 KiB.")))
	mux.HandleFunc("GET /loop/a", redirect("/loop/b"))
	mux.HandleFunc("GET /loop/b", redirect("/loop/a"))
	mux.HandleFunc("GET /chain/1", redirect("/chain/2"))
	mux.HandleFunc("GET /chain/2", redirect("/chain/3"))
	mux.HandleFunc("GET /chain/3", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.away("/chain/end", true), http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /away.html", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.away("/taken.html", false), http.StatusFound)
	})
	mux.HandleFunc("GET "+MetadataPath, redirect(PrivateLinks[1]))
	mux.HandleFunc("GET "+StallPath, s.stall)
	mux.HandleFunc("GET /busy.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	mux.HandleFunc("GET /broken.html", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal error", http.StatusInternalServerError)
	})
	mux.HandleFunc("GET /huge.html", serveHuge)
	mux.HandleFunc("GET /bomb.html", serveBomb)
	mux.HandleFunc("GET "+ImagePath, servePNG)
	mux.HandleFunc("GET "+BadTypePath, func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{"t\xb7\xb7\xb7ext/html; charset=big5"}
		fmt.Fprint(w, plain("Odd header", "A page whose Content-Type header is broken."))
	})
	return mux
}

// FrontLinks are the links of the front page: the gauntlet, in order.
func (s *Site) FrontLinks() []string {
	return append([]string{
		DeepPath, "/loop/a", "/chain/1", "/away.html", MetadataPath, StallPath, "/busy.html", "/broken.html",
		"/huge.html", "/bomb.html", ImagePath, BadTypePath, PrivatePath, LatePath,
		s.away("/stolen.html", false), // the same host on another port
	}, PrivateLinks...)
}

func (s *Site) serveFront(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=en><head><meta charset=utf-8><title>Hostile Herald</title></head><body><h1>Hostile Herald</h1><ul>")
	for _, l := range s.FrontLinks() {
		fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, l, l)
	}
	b.WriteString("</ul></body></html>")
	page(b.String())(w, r)
}

func (s *Site) serveRobots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	switch s.robots {
	case Robots404:
		http.NotFound(w, r)
	case Robots503:
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	case RobotsHuge:
		head := "User-agent: *\nDisallow: /private/\n"
		tail := "Disallow: /late/\n"
		line := "Disallow: /filler/" + strings.Repeat("x", 100) + "\n"
		n := len(head)
		if _, err := fmt.Fprint(w, head); err != nil {
			return
		}
		for n+len(line)+len(tail) <= HugeRobotsSize {
			if _, err := fmt.Fprint(w, line); err != nil {
				return // the client read what it wanted
			}
			n += len(line)
		}
		fmt.Fprint(w, tail)
	case RobotsBadDelay:
		fmt.Fprint(w, "User-agent: *\nCrawl-delay: soon\nDisallow: /private/\n")
	case RobotsStall:
		s.stall(w, r)
	default:
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	}
}

// stall waits until the client gives up or the site is closed.
func (s *Site) stall(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.closed:
	}
}

func redirect(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) }
}

func page(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
}

// article renders page n of the real article; page 1 names page 2 as its
// next page.
func article(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang=en><head><meta charset=utf-8><title>%s - Hostile Herald</title>`+
		`<meta property="og:type" content="article"><meta property="article:published_time" content="2025-02-18T08:30:00+00:00">`+
		`</head><body><nav><a href="/">Home</a></nav><article><h1>%s</h1>`+
		`<p class=byline>By Ann Reporter, <time datetime="2025-02-18T08:30:00Z">18 February 2025</time></p>`, ArticleTitle, ArticleTitle)
	paras := []string{
		"The harbour reopened to shipping on Tuesday after three weeks in which winter storms kept every vessel at anchor outside the " + ArticleTerm + ".",
		"Harbour master Jon Ellis said divers had inspected the channel twice and found it clear of the debris the storms had washed in from the coast road.",
		"Ferry services to the islands resume on Wednesday morning, with extra sailings through the weekend to carry the freight that has piled up on the quay.",
		"Fishing crews, who lost most of the season's first catch, asked the council for help with repairs to moorings and nets torn loose in the worst of the weather.",
		"The council will vote next month on a plan to raise the " + ArticleTerm + " by a metre, which engineers say would have kept the inner harbour calm.",
		"Residents along the seafront were asked to report any damage to walls and railings so that crews can make the promenade safe before the spring.",
	}
	for _, p := range paras {
		fmt.Fprintf(&b, "<p>%s</p>", p)
	}
	if n == 1 {
		fmt.Fprintf(&b, `<div class=pages><a href="%s">Next page</a></div>`, ContinuationPath)
	}
	b.WriteString(`</article><footer>Hostile Herald, 1 Quay St</footer></body></html>`)
	return b.String()
}

// plain renders a short page that is not a news article.
func plain(title, text string) string {
	return fmt.Sprintf("<!doctype html><html lang=en><head><meta charset=utf-8><title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>",
		title, title, text)
}

// deep renders a page with 600 unclosed <div>s around the link to the
// article, past the 512 open elements golang.org/x/net/html accepts.
func deep() string {
	return "<!doctype html><html lang=en><head><meta charset=utf-8><title>Archive</title></head><body>" +
		strings.Repeat("<div>", 600) + `<p><a href="` + ArticlePath + `">` + ArticleTitle + `</a></p></body></html>`
}

// hugeSize is how many bytes /huge.html streams.
const hugeSize = 64 << 20

func serveHuge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	chunk := bytes.Repeat([]byte("<p>endless</p>\n"), 4096)
	for n := 0; n < hugeSize; n += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

var (
	bombOnce sync.Once
	bomb     []byte
)

// bombBody returns 64 MiB of zeros as about 64 KiB of gzip, compressed
// once. New compresses it: compressed at the first request, on a loaded
// machine, it took longer than a crawler's timeout, and the bomb was a
// timeout rather than a body too large.
func bombBody() []byte {
	bombOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zeros := make([]byte, 1<<20)
		for range 64 {
			zw.Write(zeros)
		}
		zw.Close()
		bomb = buf.Bytes()
	})
	return bomb
}

// serveBomb sends 64 MiB of zeros as about 64 KiB of gzip.
func serveBomb(w http.ResponseWriter, r *http.Request) {
	body := bombBody()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Encoding", "gzip")
	w.Write(body)
}

var (
	pngOnce sync.Once
	pngBody []byte
)

// servePNG serves a photo-sized PNG of noise as text/html.
func servePNG(w http.ResponseWriter, r *http.Request) {
	pngOnce.Do(func() {
		img := image.NewNRGBA(image.Rect(0, 0, 200, 150))
		x := uint32(2463534242)
		for i := range img.Pix {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			img.Pix[i] = byte(x)
		}
		var buf bytes.Buffer
		png.Encode(&buf, img)
		pngBody = buf.Bytes()
	})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(pngBody)
}
