package crawler_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"newsarc/extract"
)

// datedPage is page() with a publish date in its meta, and one link on.
func datedPage(title, word, next string) string {
	return strings.Replace(page(title, word, next), `<meta property="og:type" content="article">`,
		`<meta property="og:type" content="article"><meta property="article:published_time" content="2025-02-18T05:44:00Z">`, 1)
}

// TestCrawlEvidence: what the crawl has judged of a URL shape decides the
// pages unclear on their own. The chain is fetched in order: three dated
// articles of one shape, then an undated short note of that shape (refused
// on its own: no date, no markup, little text), three digest pages that are
// plainly lists, and a fourth digest page that passes alone (a long dated
// intro, og:type=article) but has the lists' shape and links to ten
// articles.
func TestCrawlEvidence(t *testing.T) {
	art := func(i int) string { return fmt.Sprintf("/news/council-story-number-%d.html", i) }
	note := "/news/a-short-note-on-the-vote.html"
	noteHTML := `<!doctype html><html lang=en><head><title>A short note on the vote</title></head><body>` +
		`<h1>A short note on the vote</h1><p>The council will vote again next week on the budget after Tuesday's meeting ran late into the night, ` +
		`when members could not agree on the money for schools and roads and the mayor asked for more time.</p>` +
		`<p>Residents can send their views on the budget to the clerk before Monday, the council said, and a public hearing is planned ` +
		`for the evening before the vote in the town hall.</p><p>Doors open at six.</p><p>Entry is free to all.</p>` +
		`<p>Bring your own chair.</p>` +
		`<a href="/digest/1">Digest</a></body></html>`
	cards := func(n int) string {
		var b strings.Builder
		for i := 20 * n; i < 20*n+12; i++ {
			fmt.Fprintf(&b, `<article><h3><a href="%s">Story %d: the council and its budget, again</a></h3><p>An excerpt of story %d that runs on for a sentence, as teasers do on list pages.</p></article>`, art(i), i, i)
		}
		return b.String()
	}
	digest := func(n int) string {
		return fmt.Sprintf(`<!doctype html><html lang=en><head><title>Digest %d</title></head><body><h1>Digest %d</h1>%s<a href="/digest/%d">next</a></body></html>`, n, n, cards(n), n+1)
	}
	var intro strings.Builder
	for i := range 6 {
		fmt.Fprintf(&intro, "<p>Paragraph %d of this week's digest introduction, which runs on at some length about what the council did, "+
			"why the budget matters to residents, and what the editors expect from next week's meetings and votes.</p>", i)
	}
	var links strings.Builder
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&links, `<li><a href="%s">more</a></li>`, art(100+i))
	}
	digest4 := `<!doctype html><html lang=en><head><title>Digest 4</title><meta property="og:type" content="article">` +
		`<meta property="article:published_time" content="2025-02-20T05:44:00Z"></head><body><h1>Digest 4</h1>` + intro.String() +
		`<ul>` + links.String() + `</ul></body></html>`

	routes := map[string]http.HandlerFunc{
		"/":         html(listPage(art(1))),
		note:        html(noteHTML),
		"/digest/1": html(digest(1)),
		"/digest/2": html(digest(2)),
		"/digest/3": html(digest(3)),
		"/digest/4": html(digest4),
	}
	// Every other /news/ page is a dated article; the first three lead
	// one to the next, and the third to the note.
	routes["/news/"] = func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path[strings.LastIndex(r.URL.Path, "-")+1:], "%d.html", &i); err != nil {
			http.NotFound(w, r)
			return
		}
		next := ""
		switch {
		case i < 3:
			next = art(i + 1)
		case i == 3:
			next = note
		}
		html(datedPage(fmt.Sprintf("Council story %d", i), fmt.Sprintf("word%d", i), next))(w, r)
	}
	f := newFixture(t, routes)

	// Alone, each page is judged the other way.
	ex := extract.New(extract.DefaultOptions())
	h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	if _, err := ex.Extract(context.Background(), f.URL+note, h, []byte(noteHTML)); !errors.Is(err, extract.ErrNotArticle) || !strings.Contains(err.Error(), "no publish date") {
		ev, _ := extract.Evidence(f.URL+note, h, []byte(noteHTML))
		t.Fatalf("the note alone: err = %v, want a refusal for want of a date\n%s", err, ev)
	}
	if _, err := ex.Extract(context.Background(), f.URL+"/digest/4", h, []byte(digest4)); err != nil {
		t.Fatalf("digest 4 alone: %v, want it kept (the case needs a page that passes alone)", err)
	}

	cfg := testConfig()
	cfg.Parallelism = 1
	cfg.NotArticle = extract.ErrNotArticle
	st := openStore(t)
	stats := crawl(t, cfg, st, f.URL+"/")
	titles := map[string]bool{}
	for _, a := range allArticles(t, st) {
		titles[a.Title] = true
	}
	if f.count("/digest/4") != 1 || f.count(note) != 1 {
		t.Fatalf("chain not walked: digest 4 fetched %d times, the note %d", f.count("/digest/4"), f.count(note))
	}
	if !titles["A short note on the vote"] {
		t.Errorf("the undated note of an article shape was not archived; verdicts %v", stats.Verdicts)
	}
	if titles["Digest 4"] {
		t.Errorf("digest 4, of a list shape and linking to ten articles, was archived")
	}
	if stats.Verdicts["the crawl"] != 1 {
		t.Errorf("verdicts = %v, want one by the crawl's evidence", stats.Verdicts)
	}
	if stats.Undated != 1 {
		t.Errorf("undated = %d, want 1", stats.Undated)
	}
}
