package extract

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestReadTitle runs the rules that choose the visible headline among the
// titles a page declares.
func TestReadTitle(t *testing.T) {
	ld := func(headline string) string {
		return `<script type="application/ld+json">{"@type":"NewsArticle","headline":"` + headline + `"}</script>`
	}
	tests := []struct {
		name, head, body, want string
	}{
		{"og:title first",
			`<title>A plain headline here - Example</title><meta property="og:title" content="A plain headline here">`,
			`<h1>A plain headline here</h1>`, "A plain headline here"},
		{"JSON-LD headline that the h1 shows beats og:title",
			`<meta property="og:title" content="A sharing title for social media">` + ld("The headline as printed"),
			`<h1>The headline as printed</h1>`, "The headline as printed"},
		{"a headline's own tail is no suffix",
			`<meta property="og:title" content="Kawasaki quits the series! - or does it not">`,
			`<h1>Kawasaki quits the series! - or does it not</h1>`, "Kawasaki quits the series! - or does it not"},
		{"a site name is cut all the same",
			`<meta property="og:site_name" content="Example News"><meta property="og:title" content="A plain headline here | Example News">`,
			`<h1>A plain headline here | Example News</h1>`, "A plain headline here"},
		{"a Western kicker stays",
			`<meta property="og:title" content="Kenia: Nairobi von unten">`,
			`<h1>Nairobi von unten</h1>`, "Kenia: Nairobi von unten"},
		{"a CJK label goes",
			`<meta property="og:title" content="实时更新丨寒潮来袭多地降温">`,
			`<h1>寒潮来袭多地降温</h1>`, "寒潮来袭多地降温"},
		{"kicker spans keep og:title's punctuation",
			`<meta property="og:title" content="Ausschuss zur Flut: Zwei Rücktritte">`,
			`<h1><span>Ausschuss zur Flut</span> <span>Zwei Rücktritte</span></h1>`, "Ausschuss zur Flut: Zwei Rücktritte"},
		{"h1 in a breadcrumb repeats the search title: JSON-LD headline",
			`<title>Search title of the story</title><meta property="og:title" content="Search title of the story">` + ld("Editorial headline of the story"),
			`<nav class="breadcrumb"><h1>Search title of the story</h1></nav>`, "Editorial headline of the story"},
		{"h1 in a nav bar, og:title differs from the search title: og:title",
			`<title>Kicker: Editorial headline - Example</title><meta property="og:title" content="Editorial headline">` + ld("Kicker: Editorial headline"),
			`<nav><h1>Kicker: Editorial headline</h1></nav>`, "Editorial headline"},
		{"HTML entities in JSON-LD",
			ld("R&uuml;ckbau beginnt im Mai"),
			`<p>no heading</p>`, "Rückbau beginnt im Mai"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(`<html><head>` + tt.head + `</head><body>` + tt.body + `</body></html>`))
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse("https://news.example/story/1")
			if m := readMetadata(doc, u, http.Header{}); m.title != tt.want {
				t.Errorf("title %q (%s), want %q", m.title, m.titleSrc, tt.want)
			}
		})
	}
}
