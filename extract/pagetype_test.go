package extract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The page kinds of a news site as a new user meets them, built from the
// shapes that hold across sites: each is judged by the rules in
// pagetype.go, and each rule has at least one case that fires it and one
// that must not.

func para(i int) string {
	return fmt.Sprintf("<p>Paragraph %d of the story tells what happened at the council meeting on Tuesday evening, who spoke, what they said about the budget and why the vote was delayed until next month.</p>", i)
}

func teaserCard(i int) string {
	return fmt.Sprintf(`<article class="card"><a href="/news/2025/02/%02d/story-number-%d-about-the-council"></a><h3><a href="/news/2025/02/%02d/story-number-%d-about-the-council">Story number %d: the council delays its budget vote again</a></h3><p>An excerpt of story %d that runs on for a sentence or two, as teasers on section pages do, long enough to count as prose.</p><time datetime="2025-02-%02dT10:00:00Z">Feb %d</time></article>`, i%28+1, i, i%28+1, i, i, i, i%28+1, i%28+1)
}

type pageSpec struct {
	head, h1 string
	body     []string
}

func page(p pageSpec) string {
	return `<!doctype html><html><head><title>` + p.h1 + ` | The Daily Example</title>` + p.head +
		`</head><body><header><nav><a href="/">Home</a> <a href="/politics/">Politics</a></nav></header><main>` +
		`<h1>` + p.h1 + `</h1>` + strings.Join(p.body, "\n") +
		`</main><footer><p>© The Daily Example. All rights reserved.</p></footer></body></html>`
}

func repeat(n int, f func(int) string) []string {
	var out []string
	for i := range n {
		out = append(out, f(i))
	}
	return out
}

const (
	ogArticle  = `<meta property="og:type" content="article">`
	ogWebsite  = `<meta property="og:type" content="website">`
	published  = `<meta property="article:published_time" content="2025-02-18T05:44:00Z">`
	ldNews     = `<script type="application/ld+json">{"@type":"NewsArticle","headline":"x","datePublished":"2025-02-18T05:44:00Z"}</script>`
	ldNewsOnly = `<script type="application/ld+json">{"@type":"NewsArticle","headline":"x"}</script>`
)

func TestPageTypeRules(t *testing.T) {
	story := repeat(8, para)
	rail := append([]string{"<h2>Related stories</h2>"}, repeat(14, teaserCard)...)
	tests := []struct {
		name, url string
		html      string
		article   bool
		reason    string // part of the refusal reason
	}{
		{"article", "https://news.example.com/news/2025/02/18/council-delays-budget-vote",
			page(pageSpec{ogArticle + published, "Council delays budget vote", story}), true, ""},
		{"article with a rail of related teasers", "https://news.example.com/news/council-delays-budget-vote",
			page(pageSpec{ogArticle + published, "Council delays budget vote", append(story, rail...)}), true, ""},
		{"front page", "https://news.example.com/",
			page(pageSpec{ogWebsite, "The Daily Example", repeat(20, teaserCard)}), false, "front page"},
		{"section of cards, og:type article on every page", "https://news.example.com/politics/",
			page(pageSpec{ogArticle, "Politics", repeat(16, teaserCard)}), false, "teasers"},
		{"list pagination", "https://news.example.com/news/page/2",
			page(pageSpec{ogWebsite, "News", repeat(12, teaserCard)}), false, ""},
		{"staff page: a short bio over the reporter's stories", "https://news.example.com/staff/jane-doe/",
			page(pageSpec{ogArticle, "Jane Doe", append([]string{para(1)}, repeat(12, teaserCard)...)}), false, "teasers"},
		{"staff page with a long bio", "https://news.example.com/staff/jane-doe/",
			page(pageSpec{ogArticle, "Jane Doe", append(repeat(4, para), repeat(3, teaserCard)...)}), false, "person's page"},
		{"article by a staff writer", "https://news.example.com/staff/2025/02/18/council-delays-budget-vote",
			page(pageSpec{ogArticle + published, "Council delays budget vote", story}), true, ""},
		{"bare headlines", "https://news.example.com/latest",
			page(pageSpec{"", "Latest", repeat(24, func(i int) string {
				return fmt.Sprintf(`<div><h3><a href="/news/%d-story">Headline of story number %d in the list</a></h3></div>`, i, i)
			})}), false, ""},
		{"privacy policy calling itself news", "https://news.example.com/services/article1234/privacy.html",
			page(pageSpec{ogArticle + strings.Replace(ldNews, `"x"`, `"Privacy Policy"`, 1), "Privacy Policy", story}), false, "page about the site"},
		{"German privacy page", "https://news.example.com/corporate/artikel-datenschutz-54485502.html",
			page(pageSpec{strings.Replace(ldNews, `"x"`, `"Datenschutzerklärung"`, 1), "Datenschutzerklärung", story}), false, "page about the site"},
		{"undated article named by words in its URL", "https://news.example.com/harbour-vote/",
			page(pageSpec{"", "The harbour vote", story}), true, ""},
		{"undated page of one word at the top of the site", "https://news.example.com/colophon/",
			page(pageSpec{"", "Colophon", story}), false, "no publish date"},
		{"undated article: its structure says so", "https://news.example.com/features/how-the-council-spends-its-money",
			page(pageSpec{"", "How the council spends its money", story}), true, ""},
		{"undated page, og:type article only, a gallery of headlines", "https://news.example.com/pictures/year-in-pictures",
			page(pageSpec{ogArticle, "The year in pictures", repeat(12, func(i int) string {
				return fmt.Sprintf(`<h1>Slide %d</h1><img src="/p/%d.jpg"><p>A caption for slide %d that describes the photograph in a sentence or more of prose text here.</p>`, i, i, i)
			})}), false, ""},
		{"undated, JSON-LD NewsArticle", "https://news.example.com/a/98765",
			page(pageSpec{ldNewsOnly, "Council delays budget vote", story}), true, ""},
		{"a story in bullets", "https://news.example.com/tech/ten-things-you-need-to-know-today",
			page(pageSpec{ogArticle + published, "Ten things you need to know today", repeat(9, func(i int) string {
				return fmt.Sprintf(`<ul><li><a href="https://other.example.org/%d"><strong>Thing %d happened today.</strong></a> And here is a longer sentence explaining what it means and why readers should care about it now.</li></ul>`, i, i)
			})}), true, ""},
	}
	ex := New(DefaultOptions())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
			a, err := ex.Extract(context.Background(), tc.url, h, []byte(tc.html))
			ev, _ := Evidence(tc.url, h, []byte(tc.html))
			switch {
			case tc.article && err != nil:
				t.Fatalf("refused: %v\nevidence: %s", err, ev)
			case !tc.article && err == nil:
				t.Fatalf("kept as an article (%q, %d words)\nevidence: %s", a.Title, a.WordCount, ev)
			case !tc.article && !errors.Is(err, ErrNotArticle):
				t.Fatalf("err = %v, want ErrNotArticle", err)
			case !tc.article && !strings.Contains(err.Error(), tc.reason):
				t.Fatalf("reason %q lacks %q", err, tc.reason)
			}
		})
	}
}

func TestPolicyTitle(t *testing.T) {
	for title, want := range map[string]bool{
		"Privacy Policy":                    true,
		"Datenschutzerklärung WELT DIGITAL": true,
		"Impressum":                         true,
		"Mentions légales":                  true,
		"Privacy fears grow over new app":   false,
		"Privacy policy changes at the company anger users worldwide": false,
		"Imprint of war on a generation":                              false,
		"":                                                            false,
	} {
		if got := sitePageTitle(title); got != want {
			t.Errorf("sitePageTitle(%q) = %v, want %v", title, got, want)
		}
	}
}
