package crawler

import (
	"context"
	"io"
	"net/http"
	"net/url"
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
