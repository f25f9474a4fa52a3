package samplesite

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"time"
)

// feedSize is how many items /feed/ carries.
const feedSize = 8

type rss struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	DC      string     `xml:"xmlns:dc,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	AtomLink      atomLink  `xml:"atom:link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Items         []rssItem `xml:"item"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate"`
	Creator     string  `xml:"dc:creator"`
	Category    string  `xml:"category"`
	Description string  `xml:"description"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// serveFeed serves RSS 2.0 with feed-only articles and the newest Chinese list articles,
// feedSize in all, with absolute links on the request's host.
func (s *Site) serveFeed(w http.ResponseWriter, r *http.Request) {
	o := origin(r)
	s.mu.RLock()
	items := s.newest(func(e *entry) bool {
		return !e.gone && e.Lang == "zh" && (e.Reach == ReachList || e.Reach == ReachFeed)
	})
	items = items[:min(feedSize, len(items))]
	doc := rss{
		Version: "2.0",
		DC:      "http://purl.org/dc/elements/1.1/",
		Atom:    "http://www.w3.org/2005/Atom",
		Channel: rssChannel{
			Title:       siteName,
			Link:        o + "/",
			AtomLink:    atomLink{Href: o + "/feed/", Rel: "self", Type: "application/rss+xml"},
			Description: "云帆网:立足华南、面向全国的新闻资讯门户",
			Language:    "zh-CN",
		},
	}
	var last time.Time
	for _, e := range items {
		cat, _ := categoryBySlug(e.category)
		creator := publisherName
		if len(e.Authors) > 0 {
			creator = e.Authors[0]
		}
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title:       e.Title,
			Link:        o + e.Path,
			GUID:        rssGUID{IsPermaLink: true, Value: o + e.Path},
			PubDate:     e.Published.Format(time.RFC1123Z),
			Creator:     creator,
			Category:    cat.Name,
			Description: e.excerpt(),
		})
		if e.modified.After(last) {
			last = e.modified
		}
	}
	s.mu.RUnlock()
	doc.Channel.LastBuildDate = last.Format(time.RFC1123Z)
	writeXML(w, "application/rss+xml; charset=utf-8", doc)
}

type urlset struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
}

// serveSitemap lists every list-reachable article with absolute URLs on the request's host.
func (s *Site) serveSitemap(w http.ResponseWriter, r *http.Request) {
	o := origin(r)
	doc := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	s.mu.RLock()
	for _, e := range s.newest((*entry).listed) {
		doc.URLs = append(doc.URLs, sitemapURL{Loc: o + e.Path, LastMod: e.modified.Format(time.RFC3339)})
	}
	s.mu.RUnlock()
	writeXML(w, "application/xml; charset=utf-8", doc)
}

func writeXML(w http.ResponseWriter, ctype string, doc any) {
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		http.Error(w, "xml: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Write([]byte(xml.Header))
	w.Write(b)
	w.Write([]byte("\n"))
}

// serveRobots disallows /private/ and /wp-admin/ and points to the sitemap on the
// request's host.
func (s *Site) serveRobots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: %s/sitemap.xml\n", origin(r))
}
