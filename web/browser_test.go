package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"newsarc/internal/browsertest"
)

// checkNoPayload fails the test when a payload of the archive ran.
func checkNoPayload(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	if v := browsertest.Eval[string](b, `String(window.__xss)`); v != "undefined" {
		t.Errorf("payload ran: window.__xss = %q", v)
	}
	if title := browsertest.Eval[string](b, `document.title`); title == "pwned" {
		t.Error("payload ran: document.title = pwned")
	}
	if d := b.Dialogs(); len(d) > 0 {
		t.Errorf("dialogs opened: %q", d)
	}
}

func TestBrowser(t *testing.T) {
	b := browsertest.New(t)
	srv := newServer(t, fixtureStore(t), Options{})

	// The page loads, in Chinese for a Chinese browser, listing everything.
	b.Do(chromedp.Navigate(srv.URL + "/"))
	b.Wait("the first results", `document.querySelectorAll('#hits li.hit').length === 8`)
	if lang := browsertest.Eval[string](b, `document.documentElement.lang`); lang != "zh" {
		t.Errorf("page language = %q, want zh (Accept-Language zh-CN)", lang)
	}
	if label := browsertest.Eval[string](b, `document.querySelector('#search-form button').textContent`); label != "搜索" {
		t.Errorf("search button = %q, want 搜索", label)
	}
	if bars := browsertest.Eval[int](b, `document.querySelectorAll('#histogram .month').length`); bars != 3 {
		t.Errorf("%d histogram bars, want 3 months", bars)
	}

	// A Chinese query shows highlighted results.
	b.Do(chromedp.SetValue(chromedp.ID("q"), "主权"),
		chromedp.Click(chromedp.CSS("#search-form button"), chromedp.NodeVisible),
	)
	b.Wait("highlighted results", `document.querySelectorAll('#hits li.hit').length === 4 && document.querySelectorAll('#hits mark').length > 0`)
	if sort := browsertest.Eval[string](b, `document.getElementById('sort').value`); sort != "relevance" {
		t.Errorf("sort after a query = %q, want relevance", sort)
	}
	marks := browsertest.Eval[[]string](b, `[...document.querySelectorAll('#hits mark')].map(m => m.textContent)`)
	for _, m := range marks {
		if !strings.Contains("数据主权", m) {
			t.Errorf("marked %q, want parts of 主权", m)
		}
	}
	if hash := browsertest.Eval[string](b, `location.hash`); !strings.Contains(hash, "q="+url.QueryEscape("主权")) {
		t.Errorf("location.hash = %q, want the query in it", hash)
	}
	// The payload article is among them, its title shown as text.
	if n := browsertest.Eval[int](b, `[...document.querySelectorAll('#hits h3')].filter(h => h.textContent.includes('onerror=')).length`); n != 1 {
		t.Errorf("%d hit titles show the payload as text, want 1", n)
	}
	if n := browsertest.Eval[int](b, `document.querySelectorAll('#hits img, #hits script, #hits b, #facet-author b').length`); n != 0 {
		t.Errorf("%d payload elements in the results", n)
	}
	checkNoPayload(t, b)
	b.Screenshot("search")

	// Clicking a site facet narrows the results.
	b.Do(chromedp.Click(chromedp.CSS(`#facet-site a[data-term="people"]`), chromedp.NodeVisible))
	b.Wait("narrowed results", `document.querySelectorAll('#hits li.hit').length === 2 &&
		[...document.querySelectorAll('#hits .hit-meta')].every(m => m.textContent.startsWith('people'))`)
	if chip := browsertest.Eval[string](b, `document.querySelector('#active-filters .chip').textContent`); !strings.Contains(chip, "people") {
		t.Errorf("active filter chip = %q", chip)
	}
	// And an author facet narrows them further.
	b.Do(chromedp.Click(chromedp.CSS(`#facet-author a[data-term="张伟"]`), chromedp.NodeVisible))
	b.Wait("results by 张伟 on people", `document.querySelectorAll('#hits li.hit').length === 1`)

	// An article opens.
	b.Do(chromedp.Click(chromedp.CSS(`#hits li.hit h3 a`), chromedp.NodeVisible))
	b.Wait("the article", `!document.getElementById('article-view').hidden && document.getElementById('a-title').textContent === '数据主权成为焦点'`)
	if n := browsertest.Eval[int](b, `document.querySelectorAll('#a-text p').length`); n != 2 {
		t.Errorf("%d paragraphs, want 2", n)
	}
	orig := browsertest.Eval[[]string](b, `(a => [a.href, a.rel, a.target])(document.getElementById('a-original'))`)
	if orig[0] != zhFocus.CanonicalURL || orig[1] != "noopener noreferrer" {
		t.Errorf("original link = %q", orig)
	}
	if c := browsertest.Eval[string](b, `document.getElementById('a-capture').getAttribute('href')`); c != "/api/articles/"+zhFocus.ID+"/capture" {
		t.Errorf("capture link = %q", c)
	}

	// The payload article opens without running anything.
	b.Do(chromedp.Navigate(srv.URL + "/#/article/" + payload.ID))
	b.Wait("the payload article", `document.getElementById('a-title').textContent.includes('onerror=')`)
	if n := browsertest.Eval[int](b, `document.querySelectorAll('#article-view img, #article-view script, #article-view iframe, #article-view b').length`); n != 0 {
		t.Errorf("%d payload elements in the article view", n)
	}
	if hidden := browsertest.Eval[bool](b, `document.getElementById('a-original').hidden`); !hidden {
		t.Error("javascript: original link shown")
	}
	checkNoPayload(t, b)
	b.Screenshot("payload-article")

	// Versions of an article are diffed.
	b.Do(chromedp.Navigate(srv.URL + "/#/article/" + versioned.ID))
	b.Wait("the diff", `document.querySelectorAll('#diff .op-insert').length === 2 && document.querySelectorAll('#diff .op-delete').length === 2`)
	if ins := browsertest.Eval[string](b, `document.querySelector('#diff .op-insert ins').textContent`); ins != "Markets rally on rate decision" {
		t.Errorf("first insertion = %q, want the new title", ins)
	}
	b.Screenshot("versions")
	checkNoPayload(t, b)
}

// TestBrowserGroup opens an article with a reprint: the reprint is listed,
// and the group opens as a search with the reprint marked.
func TestBrowserGroup(t *testing.T) {
	b := browsertest.New(t)
	st := fixtureStore(t)
	putReprint(t, st)
	srv := newServer(t, st, Options{})

	b.Do(chromedp.Navigate(srv.URL + "/#/article/" + zhYangtze.ID))
	b.Wait("the group", `!document.getElementById('a-group').hidden &&
		document.querySelectorAll('#a-group-list li').length === 1 &&
		document.querySelector('#a-group-list a').textContent === '长江禁渔成效显著（转载）'`)
	b.Screenshot("group")
	b.Do(chromedp.Click(chromedp.ID("a-group-search"), chromedp.NodeVisible))
	b.Wait("the group's search", `!document.getElementById('search-view').hidden &&
		document.querySelectorAll('#hits li.hit').length === 2 &&
		document.querySelectorAll('#hits .hit-dup a').length === 1 &&
		document.querySelector('#active-filters .chip[data-filter="cluster"]') !== null`)

	// A lone article shows no group.
	b.Do(chromedp.Navigate(srv.URL + "/#/article/" + zhAI.ID))
	b.Wait("a lone article", `document.getElementById('a-title').textContent === '人工智能峰会在上海举行' && document.getElementById('a-group').hidden`)
	checkNoPayload(t, b)
}
