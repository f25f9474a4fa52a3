package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"newsarc/store"
)

// Paginator is implemented by extractors that follow an article over
// several pages (…_2.html, ?page=2): NextPage names the page after this
// one of the same article, "" when there is none, and Merge appends the
// article of a continuation page to the first page's article.
type Paginator interface {
	NextPage(pageURL string, h http.Header, body []byte) string
	Merge(first, next *store.Article)
}

// appendPages fetches the continuation pages of an article whose first
// page is self (body and h as received) and merges them into art, when
// the extractor is a Paginator. It fetches them one after another, politely
// (through the crawl's one client: spaced like every request to the host,
// robots.txt obeyed, in scope at every redirect; at most MaxArticlePages
// pages in all), records each in the WARC files, returns their crawl
// state, which is recorded with the article's, and marks them seen so that
// their links elsewhere do not archive them on their own. A page that fails, is refused or
// panics ends the article where it is; that is counted. A page resting
// after a panic is not fetched.
func (r *run) appendPages(ctx context.Context, self string, h http.Header, body []byte, art *store.Article) (recs []pageRecord) {
	p, ok := r.ex.(Paginator)
	if !ok || r.client == nil {
		return
	}
	from := self
	for n := 1; n < r.c.cfg.MaxArticlePages; n++ {
		var next string
		if err := guard("next page", func() error { next = p.NextPage(from, h, body); return nil }); err != nil {
			r.reportPanic(from, err.(*panicError)) // the article ends here
			return
		}
		if next == "" {
			return
		}
		u, err := canonicalURL(next, nil)
		if err != nil || !r.scope.allows(u) || r.excluded(u.String()) || !r.robotsAllow(ctx, u) {
			return
		}
		s := u.String()
		if ps, ok := r.previous(s); ok && ps.Kind == KindPanic && r.now.Before(ps.NextDue) {
			r.skipped("panicked")
			return
		}
		r.mu.Lock()
		again := r.pages[s]
		r.pages[s] = true
		r.seen.add(s)
		r.mu.Unlock()
		if again {
			return // a loop of next links, or a page already merged
		}
		nb, nh, status, err := r.fetchPage(ctx, s)
		if reason := skipReason(err); reason != "" {
			r.skipped(reason)
			r.log.Warn("article page skipped", "url", s, "article", self, "reason", reason, "err", err)
			return
		}
		if err != nil {
			r.failed(errorKind(status, err))
			r.log.Warn("article page not fetched", "url", s, "article", self, "err", err)
			return
		}
		r.fetched(status, len(nb))
		more, err := r.extract(ctx, s, nh, nb, nil)
		if pe := (*panicError)(nil); errors.As(err, &pe) {
			r.panicked(s, pe)
			return
		}
		if err != nil {
			r.log.Info("article page without an article body", "url", s, "article", self, "err", err)
			return
		}
		if err := guard("merge", func() error { p.Merge(art, more); return nil }); err != nil {
			r.panicked(s, err.(*panicError))
			return
		}
		r.count(func(st *Stats) { st.ArticlePages++ })
		recs = append(recs, pageRecord{s, PageState{Kind: KindContinuation, Status: status, ArticleID: art.ID,
			ETag: nh.Get("ETag"), LastModified: nh.Get("Last-Modified"), FetchedAt: time.Now().UTC(), Run: r.runID}})
		from, h, body = s, nh, nb
	}
	return recs
}

// fetchPage GETs one continuation page with the crawl's client (scope,
// size cap, WARC capture) and returns its body and headers as the
// extractor takes them.
func (r *run) fetchPage(ctx context.Context, u string) ([]byte, http.Header, int, error) {
	req, err := http.NewRequestWithContext(withKind(ctx, kindContinuation), http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, 0, err
	}
	req.Header.Set("User-Agent", r.c.cfg.UserAgent)
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, resp.StatusCode, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, resp.StatusCode, fmt.Errorf("%s: %s", u, resp.Status)
	}
	return body, resp.Header, resp.StatusCode, nil
}
