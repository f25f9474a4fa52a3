package crawler

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"newsarc/internal/htmlsafe"
)

// link is one outgoing link of a page.
type link struct {
	URL string // absolute, as written (not yet canonical)
	Rel string // "canonical", "next", "prev", "feed", "mobile" or ""
}

// htmlLinks returns the links of an HTML page: anchors, image-map areas and
// <link rel=next|prev|canonical>, resolved against the page URL or its
// <base href>. The body is decoded with the charset named by the header,
// a byte-order mark or a <meta> tag; link targets are ASCII on nearly every
// site, so statistical detection is left to extraction. A page nested too
// deeply for the HTML parser is repaired first (internal/htmlsafe).
func htmlLinks(pageURL *url.URL, contentType string, body []byte) []link {
	if r, err := charset.NewReader(bytes.NewReader(body), contentType); err == nil {
		if text, err := io.ReadAll(r); err == nil {
			body = text
		}
	}
	// A page nested past the parser's limit (hundreds of unclosed
	// elements) is flattened rather than left without links.
	doc, _, err := htmlsafe.Parse(body)
	if err != nil {
		return nil
	}
	return linksOf(pageURL, doc)
}

// linksOf returns the links of a parsed page, as htmlLinks does.
func linksOf(pageURL *url.URL, doc *html.Node) []link {
	base := pageURL
	var out []link
	add := func(href, rel string) {
		href = strings.TrimSpace(href)
		if href == "" || strings.HasPrefix(href, "#") {
			return
		}
		u, err := url.Parse(href)
		if err != nil {
			return
		}
		out = append(out, link{URL: base.ResolveReference(u).String(), Rel: rel})
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "base":
				if h := attr(n, "href"); h != "" {
					if u, err := url.Parse(h); err == nil {
						base = pageURL.ResolveReference(u)
					}
				}
			case "a", "area":
				add(attr(n, "href"), relOf(attr(n, "rel")))
			case "link":
				if rel := relOf(attr(n, "rel")); rel != "" {
					add(attr(n, "href"), rel)
				} else if isFeedLink(attr(n, "rel"), attr(n, "type")) {
					add(attr(n, "href"), "feed")
				} else if isMobileLink(n) {
					add(attr(n, "href"), "mobile")
				}
			case "script", "style", "template", "noscript":
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func relOf(rel string) string {
	for _, r := range strings.Fields(strings.ToLower(rel)) {
		switch r {
		case "canonical", "next", "prev":
			return r
		case "previous":
			return "prev"
		}
	}
	return ""
}

// isFeedLink reports whether a <link> advertises an RSS or Atom feed.
func isFeedLink(rel, typ string) bool {
	typ = strings.ToLower(typ)
	return strings.Contains(strings.ToLower(rel), "alternate") &&
		(strings.Contains(typ, "rss") || strings.Contains(typ, "atom"))
}

// isMobileLink reports whether a <link> names the mobile version of this
// page (rel=alternate with a media query, as search engines ask separate
// mobile URLs to be annotated); a translation (hreflang) is another page.
func isMobileLink(n *html.Node) bool {
	return strings.Contains(strings.ToLower(attr(n, "rel")), "alternate") &&
		attr(n, "media") != "" && attr(n, "hreflang") == ""
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// xmlLinks returns the URLs listed by an RSS, Atom or RDF feed (read with
// gofeed), or by a sitemap, Google News sitemap or sitemap index.
func xmlLinks(pageURL *url.URL, body []byte) []link {
	if f, err := gofeed.NewParser().Parse(bytes.NewReader(body)); err == nil {
		var out []link
		for _, it := range f.Items {
			for _, l := range append([]string{it.Link}, it.Links...) {
				if u, err := url.Parse(strings.TrimSpace(l)); err == nil && l != "" {
					out = append(out, link{URL: pageURL.ResolveReference(u).String()})
				}
			}
		}
		return out
	}
	return sitemapLinks(pageURL, body)
}

// sitemapLinks returns the <loc> URLs of a sitemap or sitemap index.
func sitemapLinks(pageURL *url.URL, body []byte) []link {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.CharsetReader = charset.NewReaderLabel
	var out []link
	var inText string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		if u, err := url.Parse(s); err == nil {
			out = append(out, link{URL: pageURL.ResolveReference(u).String()})
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			if err != io.EOF {
				// A broken feed still gives the links read so far.
				return out
			}
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			switch name {
			case "loc", "link", "guid":
				inText = name
				if name == "link" {
					var href, rel string
					for _, a := range t.Attr {
						switch strings.ToLower(a.Name.Local) {
						case "href":
							href = a.Value
						case "rel":
							rel = a.Value
						}
					}
					if href != "" && (rel == "" || rel == "alternate") {
						add(href)
					}
				}
			default:
				inText = ""
			}
		case xml.CharData:
			if inText == "loc" || inText == "link" {
				add(string(t))
			}
		case xml.EndElement:
			inText = ""
		}
	}
}

// isXML reports whether a response is a feed or sitemap rather than a page.
func isXML(contentType string, body []byte) bool {
	ct := strings.ToLower(contentType)
	if strings.Contains(ct, "html") {
		return false
	}
	if strings.Contains(ct, "xml") || strings.Contains(ct, "rss") || strings.Contains(ct, "atom") {
		return true
	}
	head := bytes.TrimSpace(body[:min(len(body), 512)])
	return bytes.HasPrefix(head, []byte("<?xml")) || bytes.HasPrefix(head, []byte("<rss")) ||
		bytes.HasPrefix(head, []byte("<urlset")) || bytes.HasPrefix(head, []byte("<sitemapindex")) ||
		bytes.HasPrefix(head, []byte("<feed"))
}
