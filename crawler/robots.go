package crawler

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsLimit is how much of a robots.txt newsarc reads: RFC 9309 asks
// crawlers to parse at least 500 KiB. The rest is ignored, from the last
// line that fits.
const robotsLimit = 500 << 10

// maxCrawlDelay caps a Crawl-delay line before it becomes a duration.
const maxCrawlDelay = 24 * 60 * 60 // seconds

// robotsVerdict is what a host's robots.txt answer means for its URLs
// (RFC 9309, 2.3.1).
type robotsVerdict int

const (
	robotsRules       robotsVerdict = iota // a file was read: its rules decide (none: all allowed)
	robotsAllowAll                         // 4xx: no file, everything allowed
	robotsUnavailable                      // 5xx, 429, unreachable, stalled, too many redirects: nothing allowed this run
	robotsRefused                          // the host's address is not one newsarc connects to: nothing allowed
)

// robotsInfo is what newsarc reads from one robots.txt.
type robotsInfo struct {
	verdict    robotsVerdict
	crawlDelay time.Duration
	sitemaps   []string
	group      *robotstxt.Group // the rules for newsarc's user agent; nil: none
	status     int              // the answer's status; 0 when there was none
	err        error            // why the file is unavailable
}

// allows reports whether the rules let newsarc fetch the path and query
// of a URL.
func (i robotsInfo) allows(requestURI string) bool {
	switch i.verdict {
	case robotsAllowAll:
		return true
	case robotsRules:
		return i.group == nil || i.group.Test(requestURI)
	}
	return false
}

// fetchRobots reads the robots.txt of an origin through the crawl's client
// (in scope at every redirect, at most 5 redirects, paced and recorded)
// and reads at most robotsLimit bytes of it.
func (r *run) fetchRobots(ctx context.Context, origin *url.URL) (info robotsInfo) {
	u := origin.ResolveReference(&url.URL{Path: "/robots.txt"})
	err := guard("robots.txt", func() error {
		ctx := withBodyLimit(withKind(ctx, kindRobots), robotsLimit)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return err
		}
		req.Header.Set("User-Agent", r.c.cfg.UserAgent)
		resp, err := r.client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		info = parseRobots(resp.StatusCode, body, r.c.cfg.UserAgent)
		return nil
	})
	if err != nil {
		var pe *panicError
		if errors.As(err, &pe) {
			r.panicked(u.String(), pe)
		}
		info = robotsInfo{verdict: robotsUnavailable, err: err}
		if errors.Is(err, ErrForbiddenAddress) {
			info.verdict = robotsRefused
		}
	}
	return info
}

// parseRobots reads a robots.txt answer as RFC 9309 says: a 2xx file's
// rules for userAgent; 4xx (but 429), no file and no rules; 5xx, 429 and
// anything else, unavailable, so nothing is allowed. Lines newsarc cannot
// read are ignored (see cleanRobots), never a reason to allow everything.
func parseRobots(status int, body []byte, userAgent string) robotsInfo {
	info := robotsInfo{status: status}
	switch {
	case status >= 200 && status < 300:
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests:
		info.verdict = robotsAllowAll
		return info
	default:
		info.verdict = robotsUnavailable
		info.err = errors.New("robots.txt answered " + strconv.Itoa(status))
		return info
	}
	data, err := robotstxt.FromBytes(cleanRobots(body))
	if err != nil {
		// cleanRobots leaves nothing the parser refuses; should it ever,
		// the file is not read as allowing everything.
		info.verdict = robotsUnavailable
		info.err = err
		return info
	}
	info.sitemaps = data.Sitemaps
	if g := data.FindGroup(userAgent); g != nil {
		info.crawlDelay = g.CrawlDelay
		info.group = g
	}
	return info
}

// cleanRobots returns the lines of a robots.txt that the parser reads as
// meant, one "field: value" a line: the first robotsLimit bytes up to the
// last whole line, comments removed, user-agent, allow, disallow,
// crawl-delay and sitemap lines only, each value its first word. A line
// the parser would fail on is dropped, alone: a Crawl-delay that is not a
// number, a rule before any User-agent line. (temoto/robotstxt rejects a
// whole file for one such line, and a rejected file used to allow
// everything.)
func cleanRobots(body []byte) []byte {
	if len(body) > robotsLimit {
		body = body[:robotsLimit]
		if i := bytes.LastIndexAny(body, "\r\n"); i >= 0 {
			body = body[:i]
		} else {
			body = nil
		}
	}
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	var out bytes.Buffer
	agent := false
	for len(body) > 0 {
		var line []byte
		if i := bytes.IndexAny(body, "\r\n"); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			line, body = body, nil
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(string(k)))
		val := ""
		if f := strings.Fields(string(v)); len(f) > 0 {
			val = f[0]
		}
		switch key {
		case "user-agent", "useragent":
			if val == "" {
				continue
			}
			agent = true
			out.WriteString("user-agent: " + val + "\n")
		case "allow", "disallow":
			if !agent {
				continue
			}
			// An empty value stays: it ends a group of user-agent lines.
			out.WriteString(key + ": " + val + "\n")
		case "crawl-delay", "crawldelay":
			d, err := strconv.ParseFloat(val, 64)
			if !agent || err != nil || d < 0 || math.IsNaN(d) || math.IsInf(d, 0) {
				continue
			}
			out.WriteString("crawl-delay: " + strconv.FormatFloat(min(d, maxCrawlDelay), 'f', -1, 64) + "\n")
		case "sitemap":
			if val != "" {
				out.WriteString("sitemap: " + val + "\n")
			}
		}
	}
	return out.Bytes()
}

// hostRobots is one origin's robots.txt as read once per run.
type hostRobots struct {
	once sync.Once
	info robotsInfo
}

// robotsFor returns an origin's robots.txt, reading it the first time it
// is asked for (RFC 9309: a file covers one scheme, host and port).
func (r *run) robotsFor(ctx context.Context, u *url.URL) *hostRobots {
	key := origin(u)
	v, ok := r.robots.Load(key)
	if !ok { // the origin's first link: the one allocation per origin
		v, _ = r.robots.LoadOrStore(key, &hostRobots{})
	}
	hr := v.(*hostRobots)
	hr.once.Do(func() {
		hr.info = r.fetchRobots(ctx, &url.URL{Scheme: u.Scheme, Host: u.Host})
		switch {
		case ctx.Err() != nil: // the run is stopping: nothing to report
		case hr.info.verdict == robotsUnavailable:
			r.count(func(st *Stats) { st.RobotsUnavailable = append(st.RobotsUnavailable, key) })
			r.log.Warn("robots.txt unavailable: nothing fetched from the host in this run", "url", key+"/robots.txt",
				"status", hr.info.status, "err", hr.info.err)
		case hr.info.verdict == robotsRefused:
			r.log.Warn("host not fetched: its address is not allowed", "url", key, "err", hr.info.err)
		}
		r.crawlDelay(u.Host, hr.info.crawlDelay)
	})
	return hr
}

// robotsCheck says why robots.txt keeps newsarc from fetching u: "" when
// it may, else the skip reason ("robots", "robots-unavailable",
// "private-address"). Each origin's file is read once per run, on the
// first URL that needs it, through the crawl's client; its Crawl-delay
// then paces the host, one request at a time.
func (r *run) robotsCheck(ctx context.Context, u *url.URL) string {
	if r.c.cfg.IgnoreRobots {
		return ""
	}
	info := r.robotsFor(ctx, u).info
	switch {
	case info.allows(u.RequestURI()):
		return ""
	case info.verdict == robotsUnavailable:
		return "robots-unavailable"
	case info.verdict == robotsRefused:
		return "private-address"
	}
	return "robots"
}

// robotsAllow reports whether robots.txt lets the crawler fetch u.
func (r *run) robotsAllow(ctx context.Context, u *url.URL) bool {
	return r.robotsCheck(ctx, u) == ""
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
	r.dist.setDelay(host, d)
}
