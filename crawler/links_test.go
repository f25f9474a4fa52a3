package crawler

import (
	"net/url"
	"strings"
	"testing"
)

// TestHTMLLinksDeepNesting: a page with more unclosed elements than the
// HTML parser allows (512) still gives its links.
func TestHTMLLinksDeepNesting(t *testing.T) {
	base, _ := url.Parse("http://news.example.com/deep/")
	for _, n := range []int{10, 600, 5000} {
		body := "<!doctype html><html><body>" + strings.Repeat("<div>", n) +
			`<p>Story: <a href="/2025/02/18/story/">read</a></p></body></html>`
		var got []string
		for _, l := range htmlLinks(base, "text/html", []byte(body)) {
			got = append(got, l.URL)
		}
		if len(got) != 1 || got[0] != "http://news.example.com/2025/02/18/story/" {
			t.Errorf("%d unclosed divs: links %v, want the story", n, got)
		}
	}
}
