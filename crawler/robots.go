package crawler

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsInfo is what newsarc reads from robots.txt beyond allow/disallow,
// which colly checks per request.
type robotsInfo struct {
	crawlDelay time.Duration
	sitemaps   []string
	group      *robotstxt.Group // the rules for newsarc's user agent; nil when none
}

// fetchRobots reads host's robots.txt. A missing or unreadable file gives
// no delay and no sitemaps; colly's own check decides what may be fetched.
func fetchRobots(ctx context.Context, client *http.Client, host *url.URL, userAgent string) robotsInfo {
	u := host.ResolveReference(&url.URL{Path: "/robots.txt"})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return robotsInfo{}
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := client.Do(req)
	if err != nil {
		return robotsInfo{}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return robotsInfo{}
	}
	return parseRobots(resp.StatusCode, body, userAgent)
}

func parseRobots(status int, body []byte, userAgent string) robotsInfo {
	data, err := robotstxt.FromStatusAndBytes(status, body)
	if err != nil {
		return robotsInfo{}
	}
	info := robotsInfo{sitemaps: data.Sitemaps}
	if g := data.FindGroup(userAgent); g != nil {
		info.crawlDelay = g.CrawlDelay
		info.group = g
	}
	return info
}

// hostRobots is one host's robots.txt as read once per run.
type hostRobots struct {
	once  sync.Once
	group *robotstxt.Group // nil: no rules (missing or unreadable file)
}

// robotsAllow reports whether robots.txt lets the crawler fetch u. Each
// host's file is read once per run, on the first URL of the host that
// needs it, through the crawl's transport (paced and recorded); its
// Crawl-delay then paces the host, one request at a time. A missing or
// unreadable file allows everything.
func (r *run) robotsAllow(ctx context.Context, u *url.URL) bool {
	if r.c.cfg.IgnoreRobots {
		return true
	}
	v, ok := r.robots.Load(u.Host)
	if !ok { // the host's first link: the one allocation per host
		v, _ = r.robots.LoadOrStore(u.Host, &hostRobots{})
	}
	hr := v.(*hostRobots)
	hr.once.Do(func() {
		info := fetchRobots(ctx, r.client, &url.URL{Scheme: u.Scheme, Host: u.Host}, r.c.cfg.UserAgent)
		hr.group = info.group
		r.crawlDelay(u.Host, info.crawlDelay)
	})
	return hr.group == nil || hr.group.Test(u.RequestURI())
}

// crawlDelay paces host by its robots.txt Crawl-delay when that is longer
// than the site's delay: one request at a time, d apart (at most
// MaxRetryWait).
func (r *run) crawlDelay(host string, d time.Duration) {
	if d <= 0 || d < r.delay {
		return
	}
	d = min(d, r.c.cfg.MaxRetryWait)
	r.log.Info("robots.txt crawl-delay", "host", host, "dur", d)
	r.pace.set(host, d, 1)
}
