package crawler

import (
	"net/url"
	"testing"
)

// FuzzXMLLinks: whatever a feed or sitemap URL answers (RSS, Atom, RDF,
// sitemaps, their broken and hostile forms) gives links or none, never a
// panic; each link is absolute, resolved against the page.
func FuzzXMLLinks(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0"?><rss version="2.0"><channel><title>N</title><item><link>/a/</link></item></channel></rss>`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="https://h.example/a"/></entry></feed>`,
		`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item><link>x</link></item></rdf:RDF>`,
		`<sitemapindex><sitemap><loc>https://h.example/s.xml</loc></sitemap></sitemapindex>`,
		`<urlset><url><loc> /2025/02/18/a </loc></url></urlset>`,
		`<?xml version="1.0" encoding="gbk"?><rss><channel><item><link>/新闻</link></item></channel></rss>`,
		`<rss><channel><item><link>%zz</link><enclosure url="::"/></item>`,
		`<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><rss><channel><item><link>&a;&a;</link></item></channel></rss>`,
		`{"version":"https://jsonfeed.org/version/1","items":[{"url":"/a"}]}`,
		"\xef\xbb\xbf<rss/>",
	} {
		f.Add([]byte(s))
	}
	base, _ := url.Parse("https://h.example/feed/")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, l := range xmlLinks(base, body) {
			u, err := url.Parse(l.URL)
			if err != nil {
				t.Fatalf("link %q does not parse: %v", l.URL, err)
			}
			if !u.IsAbs() {
				t.Fatalf("link %q is not absolute", l.URL)
			}
		}
	})
}
