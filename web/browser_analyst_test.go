package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"newsarc/internal/browsertest"
	"newsarc/store"
)

// analystStore is the fixture archive plus articles with sections and
// tags, and a story printed three times.
func analystStore(t *testing.T) store.Store {
	t.Helper()
	st := fixtureStore(t)
	putReprint(t, st)
	second := newArticle("sina", "zh", "https://sina.example/2025/03/yangtze.html", "长江禁渔成效显著（又一转载）",
		zhYangtze.Text+"\n\n（来源：新华网，有删节）", time.Date(2025, 3, 10, 9, 0, 0, 0, cst))
	second.Cluster, second.DuplicateOf = zhYangtze.ID, zhYangtze.ID
	sectioned := []*store.Article{second}
	for i, s := range []struct{ url, title, section string }{
		{"https://xinhua.example/2025/03/fin1.html", "央行维持利率不变", "财经"},
		{"https://xinhua.example/2025/03/fin2.html", "股市小幅上涨", "财经"},
		{"https://xinhua.example/2025/03/sport.html", "女排联赛开幕", "体育"},
	} {
		a := newArticle("xinhua", "zh", s.url, s.title, s.title+"，详细报道见正文。", time.Date(2025, 3, 20+i, 9, 0, 0, 0, cst), "李娜")
		a.Section = s.section
		a.Tags = []string{"要闻"}
		if s.section == "财经" {
			a.Tags = append(a.Tags, "利率")
		}
		sectioned = append(sectioned, a)
	}
	if _, err := st.Put(context.Background(), sectioned...); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestBrowserAnalyst checks the analyst's tools: section and tag facets,
// date range inputs, reprint groups collapsed to one result that expands,
// and the layout at phone width.
func TestBrowserAnalyst(t *testing.T) {
	b := browsertest.New(t)
	srv := newServer(t, analystStore(t), Options{})
	count := `document.querySelectorAll('#hits li.hit').length`

	// Section and tag facets narrow the results.
	b.Navigate(srv.URL + "/#/")
	b.Wait("the section facet", `document.querySelectorAll('#facet-section a').length === 2 &&
		document.querySelector('#facet-section a[data-term="财经"] .count').textContent === '2'`)
	b.Do(chromedp.Click(chromedp.CSS(`#facet-section a[data-term="财经"]`), chromedp.NodeVisible))
	b.Wait("the 财经 section", count+` === 2 && document.querySelector('#active-filters .chip[data-filter="section"]') !== null`)
	if tags := browsertest.Eval[[]string](b, `[...document.querySelectorAll('#facet-tag a')].map(a => a.dataset.term + ':' + a.querySelector('.count').textContent)`); strings.Join(tags, " ") != "利率:2 要闻:2" {
		t.Errorf("tag facet within 财经 = %q, want 利率:2 要闻:2", tags)
	}
	b.Do(chromedp.Click(chromedp.CSS(`#active-filters .chip[data-filter="section"]`), chromedp.NodeVisible))
	b.Wait("all results again", `document.querySelector('#active-filters .chip') === null && `+count+` === 10`)
	b.Do(chromedp.Click(chromedp.CSS(`#facet-tag a[data-term="要闻"]`), chromedp.NodeVisible))
	b.Wait("the 要闻 tag", count+` === 3 && location.hash.includes('tag=')`)

	// Date inputs: a range of days, inclusive, kept in the address.
	b.Navigate(srv.URL + "/#/")
	b.Wait("the date inputs", `document.getElementById('date-from') !== null && `+count+` === 10`)
	b.Do(
		chromedp.SetValue(chromedp.ID("date-from"), "2025-03-08"),
		chromedp.SetValue(chromedp.ID("date-to"), "2025-03-10"),
		chromedp.Click(chromedp.CSS("#date-form button"), chromedp.NodeVisible),
	)
	b.Wait("the range 8 to 10 March", `location.hash.includes('from=2025-03-08') && location.hash.includes('to=2025-03-10') &&
		`+count+` === 3 && document.querySelectorAll('#active-filters .chip').length === 2`)
	if v := browsertest.Eval[string](b, `document.getElementById('date-from').value`); v != "2025-03-08" {
		t.Errorf("date-from after the search = %q", v)
	}
	b.Screenshot("dates")

	// One result per story: the three prints of the Yangtze story show as
	// one, which expands to the two others and folds again.
	b.Navigate(srv.URL + "/#/search?q=" + "长江禁渔")
	b.Wait("three prints", count+` === 3`)
	b.Do(chromedp.Click(chromedp.ID("collapse"), chromedp.NodeVisible))
	b.Wait("one story", count+` === 1 && location.hash.includes('collapse=true') &&
		document.querySelector('#hits .hit-reprints') !== null`)
	if total := browsertest.Eval[string](b, `document.getElementById('summary').textContent`); !strings.Contains(total, "3") {
		t.Errorf("summary of the collapsed search = %q, want the 3 matching articles counted", total)
	}
	b.Do(chromedp.Click(chromedp.CSS("#hits .hit-reprints"), chromedp.NodeVisible))
	b.Wait("the other prints", `!document.querySelector('#hits .reprints').hidden &&
		document.querySelectorAll('#hits .reprints li').length === 2`)
	b.Screenshot("collapsed")
	b.Do(chromedp.Click(chromedp.CSS("#hits .hit-reprints"), chromedp.NodeVisible))
	b.Wait("folded again", `document.querySelector('#hits .reprints').hidden`)

	// Phone width: everything fits, the Search button is on screen.
	b.Viewport(375, 812, true)
	b.Navigate(srv.URL + "/#/")
	b.Wait("the results", count+` === 10`)
	fits := browsertest.Eval[[]float64](b, `(() => {
		const r = document.querySelector('#search-form button').getBoundingClientRect();
		return [r.left, r.right, window.innerWidth, document.documentElement.scrollWidth,
			document.querySelector('.results').getBoundingClientRect().top < document.querySelector('.facets').getBoundingClientRect().top ? 1 : 0];
	})()`)
	if fits[0] < 0 || fits[1] > fits[2] || fits[3] > fits[2] {
		t.Errorf("at 375 px: Search button from %.0f to %.0f, page %.0f wide, viewport %.0f", fits[0], fits[1], fits[3], fits[2])
	}
	if fits[4] != 1 {
		t.Error("at 375 px the facets come before the results")
	}
	b.Screenshot("phone")
	checkNoPayload(t, b)
}
