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

// TestBrowserRemovedChanged checks the UI's removed and changed filters and
// markers, the version picker's times and the word diff of a one-word
// correction.
func TestBrowserRemovedChanged(t *testing.T) {
	b := browsertest.New(t)
	st := fixtureStore(t)
	gone := newArticle("xinhua", "zh", "https://xinhua.example/gone", "已删除的报道", "这篇报道后来被删除了。",
		time.Date(2025, 3, 6, 8, 0, 0, 0, time.UTC))
	gone.RemovedAt = time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	text := "部长周一表示同意该计划。\n\n第二段不变。"
	edited := newArticle("xinhua", "zh", "https://xinhua.example/edited", "一字之差", text, time.Date(2025, 3, 7, 8, 0, 0, 0, time.UTC))
	v2 := *edited
	v2.Text = strings.Replace(text, "同意", "反对", 1)
	v2.ContentHash = store.HashText(v2.Text)
	v2.FetchedAt = edited.FetchedAt.Add(90 * time.Minute)
	for _, a := range []*store.Article{gone, edited, &v2} {
		if _, err := st.Put(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	srv := newServer(t, st, Options{})

	b.Do(chromedp.Navigate(srv.URL + "/#/"))
	b.Wait("the first results", `document.querySelectorAll('#hits li.hit').length > 2`)
	b.Do(chromedp.Click(chromedp.CSS(`#facet-state a[data-facet="removed"]`), chromedp.NodeVisible))
	b.Wait("the removed articles", `document.querySelectorAll('#hits li.hit').length === 1 &&
		document.querySelector('#hits li.hit.removed .mark-removed') !== null &&
		document.querySelector('#active-filters .chip[data-filter="removed"]') !== null`)
	if m := browsertest.Eval[string](b, `document.querySelector('#hits .mark-removed').textContent`); !strings.Contains(m, "2025-05-01") {
		t.Errorf("removed marker = %q, want the date", m)
	}
	b.Screenshot("removed")

	b.Do(chromedp.Navigate(srv.URL + "/#/search?changed=true"))
	b.Wait("the changed articles", `document.querySelectorAll('#hits li.hit').length === 2 &&
		document.querySelectorAll('#hits .mark-changed').length === 2`)

	b.Do(chromedp.Navigate(srv.URL + "/#/article/" + edited.ID))
	b.Wait("the word diff", `document.querySelectorAll('#diff .op-change').length === 1`)
	words := browsertest.Eval[[]string](b, `[...document.querySelectorAll('#diff .op-change del, #diff .op-change ins')].map(e => e.tagName + ':' + e.textContent)`)
	if strings.Join(words, " ") != "DEL:同意 INS:反对" {
		t.Errorf("word diff = %q, want 同意 struck and 反对 inserted", words)
	}
	opts := browsertest.Eval[[]string](b, `[...document.querySelectorAll('#diff-from option')].map(o => o.textContent)`)
	if len(opts) != 2 || !strings.Contains(opts[0], "08:00") || !strings.Contains(opts[1], "09:30") {
		t.Errorf("version picker = %q, want the time of each version", opts)
	}
	b.Screenshot("word-diff")
	checkNoPayload(t, b)
}
