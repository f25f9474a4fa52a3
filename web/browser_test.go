package web

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where scripts/install-browser puts Debian's Chromium.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts headless Chromium for one test, or skips the test when
// it is not installed (and fails it under NEWSARC_REQUIRE_BROWSER=1). It
// returns the tab's context and the messages of every JavaScript dialog
// the page opens, which it dismisses.
func newBrowser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("NEWSARC_REQUIRE_BROWSER") == "1" {
			t.Fatalf("%s: %v (run scripts/install-browser)", chromiumPath, err)
		}
		t.Skipf("%s not installed (scripts/install-browser); NEWSARC_REQUIRE_BROWSER=1 makes this fail", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	allocCtx, allocCancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(allocCancel)
	tab, tabCancel := chromedp.NewContext(allocCtx)
	t.Cleanup(tabCancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	var mu sync.Mutex
	var dialogs []string
	err := chromedp.Listen(tab, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			dialogs = append(dialogs, d.Message)
			mu.Unlock()
			// Dismiss it from another goroutine: a listener must not
			// run commands.
			go chromedp.Do(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
				return err
			}))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return tab, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), dialogs...)
	}
}

// screenshot saves a PNG of the page into the test's temp dir and, when
// NEWSARC_SCREENSHOT_DIR is set, there too.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dirs := []string{t.TempDir()}
	if d := os.Getenv("NEWSARC_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// wait polls a JavaScript predicate until it is true.
func wait(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, predicate, err)
	}
}

// checkNoPayload fails the test when a payload of the archive ran.
func checkNoPayload(t *testing.T, ctx context.Context, dialogs func() []string) {
	t.Helper()
	if v := eval[string](t, ctx, `String(window.__xss)`); v != "undefined" {
		t.Errorf("payload ran: window.__xss = %q", v)
	}
	if title := eval[string](t, ctx, `document.title`); title == "pwned" {
		t.Error("payload ran: document.title = pwned")
	}
	if d := dialogs(); len(d) > 0 {
		t.Errorf("dialogs opened: %q", d)
	}
}

func TestBrowser(t *testing.T) {
	ctx, dialogs := newBrowser(t)
	srv := newServer(t, fixtureStore(t), Options{})

	// The page loads, in Chinese for a Chinese browser, listing everything.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "the first results", `document.querySelectorAll('#hits li.hit').length === 8`)
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "zh" {
		t.Errorf("page language = %q, want zh (Accept-Language zh-CN)", lang)
	}
	if label := eval[string](t, ctx, `document.querySelector('#search-form button').textContent`); label != "搜索" {
		t.Errorf("search button = %q, want 搜索", label)
	}
	if bars := eval[int](t, ctx, `document.querySelectorAll('#histogram .month').length`); bars != 3 {
		t.Errorf("%d histogram bars, want 3 months", bars)
	}

	// A Chinese query shows highlighted results.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("q"), "主权"),
		chromedp.Click(chromedp.CSS("#search-form button"), chromedp.NodeVisible),
	); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "highlighted results", `document.querySelectorAll('#hits li.hit').length === 4 && document.querySelectorAll('#hits mark').length > 0`)
	if sort := eval[string](t, ctx, `document.getElementById('sort').value`); sort != "relevance" {
		t.Errorf("sort after a query = %q, want relevance", sort)
	}
	marks := eval[[]string](t, ctx, `[...document.querySelectorAll('#hits mark')].map(m => m.textContent)`)
	for _, m := range marks {
		if !strings.Contains("数据主权", m) {
			t.Errorf("marked %q, want parts of 主权", m)
		}
	}
	if hash := eval[string](t, ctx, `location.hash`); !strings.Contains(hash, "q="+url.QueryEscape("主权")) {
		t.Errorf("location.hash = %q, want the query in it", hash)
	}
	// The payload article is among them, its title shown as text.
	if n := eval[int](t, ctx, `[...document.querySelectorAll('#hits h3')].filter(h => h.textContent.includes('onerror=')).length`); n != 1 {
		t.Errorf("%d hit titles show the payload as text, want 1", n)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#hits img, #hits script, #hits b, #facet-author b').length`); n != 0 {
		t.Errorf("%d payload elements in the results", n)
	}
	checkNoPayload(t, ctx, dialogs)
	screenshot(t, ctx, "search")

	// Clicking a site facet narrows the results.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#facet-site a[data-term="people"]`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "narrowed results", `document.querySelectorAll('#hits li.hit').length === 2 &&
		[...document.querySelectorAll('#hits .hit-meta')].every(m => m.textContent.startsWith('people'))`)
	if chip := eval[string](t, ctx, `document.querySelector('#active-filters .chip').textContent`); !strings.Contains(chip, "people") {
		t.Errorf("active filter chip = %q", chip)
	}
	// And an author facet narrows them further.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#facet-author a[data-term="张伟"]`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "results by 张伟 on people", `document.querySelectorAll('#hits li.hit').length === 1`)

	// An article opens.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#hits li.hit h3 a`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "the article", `!document.getElementById('article-view').hidden && document.getElementById('a-title').textContent === '数据主权成为焦点'`)
	if n := eval[int](t, ctx, `document.querySelectorAll('#a-text p').length`); n != 2 {
		t.Errorf("%d paragraphs, want 2", n)
	}
	orig := eval[[]string](t, ctx, `(a => [a.href, a.rel, a.target])(document.getElementById('a-original'))`)
	if orig[0] != zhFocus.CanonicalURL || orig[1] != "noopener noreferrer" {
		t.Errorf("original link = %q", orig)
	}
	if c := eval[string](t, ctx, `document.getElementById('a-capture').getAttribute('href')`); c != "/api/articles/"+zhFocus.ID+"/capture" {
		t.Errorf("capture link = %q", c)
	}

	// The payload article opens without running anything.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/#/article/"+payload.ID)); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "the payload article", `document.getElementById('a-title').textContent.includes('onerror=')`)
	if n := eval[int](t, ctx, `document.querySelectorAll('#article-view img, #article-view script, #article-view iframe, #article-view b').length`); n != 0 {
		t.Errorf("%d payload elements in the article view", n)
	}
	if hidden := eval[bool](t, ctx, `document.getElementById('a-original').hidden`); !hidden {
		t.Error("javascript: original link shown")
	}
	checkNoPayload(t, ctx, dialogs)
	screenshot(t, ctx, "payload-article")

	// Versions of an article are diffed.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/#/article/"+versioned.ID)); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "the diff", `document.querySelectorAll('#diff .op-insert').length === 2 && document.querySelectorAll('#diff .op-delete').length === 2`)
	if ins := eval[string](t, ctx, `document.querySelector('#diff .op-insert ins').textContent`); ins != "Markets rally on rate decision" {
		t.Errorf("first insertion = %q, want the new title", ins)
	}
	screenshot(t, ctx, "versions")
	checkNoPayload(t, ctx, dialogs)
}

// TestBrowserGroup opens an article with a reprint: the reprint is listed,
// and the group opens as a search with the reprint marked.
func TestBrowserGroup(t *testing.T) {
	ctx, dialogs := newBrowser(t)
	st := fixtureStore(t)
	putReprint(t, st)
	srv := newServer(t, st, Options{})

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/#/article/"+zhYangtze.ID)); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "the group", `!document.getElementById('a-group').hidden &&
		document.querySelectorAll('#a-group-list li').length === 1 &&
		document.querySelector('#a-group-list a').textContent === '长江禁渔成效显著（转载）'`)
	screenshot(t, ctx, "group")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("a-group-search"), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "the group's search", `!document.getElementById('search-view').hidden &&
		document.querySelectorAll('#hits li.hit').length === 2 &&
		document.querySelectorAll('#hits .hit-dup a').length === 1 &&
		document.querySelector('#active-filters .chip[data-filter="cluster"]') !== null`)

	// A lone article shows no group.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/#/article/"+zhAI.ID)); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "a lone article", `document.getElementById('a-title').textContent === '人工智能峰会在上海举行' && document.getElementById('a-group').hidden`)
	checkNoPayload(t, ctx, dialogs)
}
