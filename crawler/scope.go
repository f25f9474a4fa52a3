package crawler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// ErrOffScope is wrapped by the error of a request whose redirect leads
// outside the site's scope (another scheme, host or port than the site's
// origins). The redirect is not followed; the page is skipped, not retried.
var ErrOffScope = errors.New("crawler: redirect leaves the site's scope")

// ErrForbiddenAddress is wrapped by the error of a request to an address
// newsarc never connects to: loopback, private, link-local and other
// special-purpose ranges, unless the site's own seeds resolve into them.
var ErrForbiddenAddress = errors.New("crawler: address not allowed")

// ErrDisallowed is wrapped by the error of a request whose redirect leads
// to a URL robots.txt disallows.
var ErrDisallowed = errors.New("crawler: disallowed by robots.txt")

// ErrTooManyRedirects is wrapped by the error of a request that redirected
// more often than newsarc follows (10 hops for pages, 5 for robots.txt).
var ErrTooManyRedirects = errors.New("crawler: too many redirects")

// Redirect hops followed per request.
const (
	maxRedirects       = 10
	maxRobotsRedirects = 5 // RFC 9309, 2.3.1.2
)

// scope is the set of origins (scheme, host, port) a site's crawl may
// request. A seed or listed host on its scheme's default port brings the
// host's http and https origins on the default ports (sites move between
// the two); one on another port brings that port only. Host names come
// with their www. twin.
type scope struct {
	origins map[string]bool // "scheme://host:port", the port always written
	names   map[string]bool // the host names of those origins
}

func newScope() *scope {
	return &scope{origins: map[string]bool{}, names: map[string]bool{}}
}

// origin returns u's origin as scope keys it: scheme://host:port with the
// port written even when it is the scheme's default.
func origin(u *url.URL) string {
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
	} else if n, err := strconv.Atoi(port); err == nil {
		port = strconv.Itoa(n)
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(host, port)
}

func defaultPort(scheme string) string {
	if strings.EqualFold(scheme, "https") {
		return "443"
	}
	return "80"
}

// addURL puts the origin of u (and its twins) in scope.
func (s *scope) addURL(u *url.URL) {
	port := u.Port()
	if port == "" || port == defaultPort(u.Scheme) {
		port = ""
	}
	s.addHost(u.Scheme, u.Hostname(), port)
}

// addListed puts a listed host in scope: "host" (http and https on their
// default ports), "host:port" (that port, either scheme) or a URL
// ("https://host:8443/", that origin).
func (s *scope) addListed(h string) error {
	h = strings.TrimSpace(h)
	if strings.Contains(h, "://") {
		u, err := canonicalURL(h, nil)
		if err != nil {
			return err
		}
		s.addURL(u)
		return nil
	}
	u, err := canonicalURL("http://"+h+"/", nil)
	if err != nil {
		return err
	}
	if p := u.Port(); p != "" {
		s.addHost("http", u.Hostname(), p)
		s.addHost("https", u.Hostname(), p)
		return nil
	}
	s.addHost("http", u.Hostname(), "")
	return nil
}

// addHost adds host at port ("" for the default ports of http and https)
// and its www. twin.
func (s *scope) addHost(scheme, host, port string) {
	host = strings.TrimRight(strings.ToLower(host), ".")
	names := []string{host}
	if rest, ok := strings.CutPrefix(host, "www."); ok {
		names = append(names, rest)
	} else if strings.Contains(host, ".") && !isIP(host) {
		names = append(names, "www."+host)
	}
	for _, n := range names {
		s.names[n] = true
		if port == "" {
			s.origins["http://"+net.JoinHostPort(n, "80")] = true
			s.origins["https://"+net.JoinHostPort(n, "443")] = true
			continue
		}
		s.origins[strings.ToLower(scheme)+"://"+net.JoinHostPort(n, port)] = true
	}
}

// allows reports whether u's origin is in scope.
func (s *scope) allows(u *url.URL) bool {
	return s.origins[origin(u)]
}

// hostNames lists the host names in scope, for colly's domain filter.
func (s *scope) hostNames() []string {
	out := make([]string, 0, len(s.names))
	for n := range s.names {
		out = append(out, n)
	}
	return out
}

// requestKind says which part of the crawl made a request, carried in the
// request's context: redirect rules differ for robots.txt and an
// article's continuation pages, which colly does not fetch.
type requestKind int

const (
	kindPage         requestKind = iota // fetched by colly
	kindRobots                          // robots.txt
	kindContinuation                    // an article's later page (appendPages)
)

type kindKey struct{}

func withKind(ctx context.Context, k requestKind) context.Context {
	return context.WithValue(ctx, kindKey{}, k)
}

func kindOf(ctx context.Context) requestKind {
	k, _ := ctx.Value(kindKey{}).(requestKind)
	return k
}

// checkRedirect is the crawl client's redirect policy, applied at every
// hop before the next request is made: the target must be in scope, the
// chain short, and (but for robots.txt) the target allowed by robots.txt.
// Pages colly fetches then pass colly's own checks (domains, visited).
func (r *run) checkRedirect(colly func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		kind := kindOf(via[0].Context())
		limit := maxRedirects
		if kind == kindRobots {
			limit = maxRobotsRedirects
		}
		if len(via) > limit {
			return fmt.Errorf("%w: %s after %d", ErrTooManyRedirects, via[0].URL, limit)
		}
		// A chain may come back to a URL once (a cookie or consent gate
		// sends the page back to itself, cookie set); a third time, it
		// is a loop. A crawl's visited set stops most loops sooner, but
		// not a URL's first fetch by a worker of a shared crawl.
		seen := 0
		for _, v := range via {
			if v.URL.String() == req.URL.String() {
				seen++
			}
		}
		if seen >= 2 {
			return fmt.Errorf("%w: %s loops back to %s", ErrTooManyRedirects, via[0].URL, req.URL)
		}
		if !r.scope.allows(req.URL) {
			return fmt.Errorf("redirect from %s to %s: %w", via[len(via)-1].URL, req.URL, ErrOffScope)
		}
		if kind != kindRobots {
			switch reason := r.robotsCheck(req.Context(), req.URL); reason {
			case "":
			case "private-address": // its robots.txt could not be asked for
				return fmt.Errorf("redirect to %s: %w", req.URL, ErrForbiddenAddress)
			default:
				return fmt.Errorf("redirect to %s (%s): %w", req.URL, reason, ErrDisallowed)
			}
		}
		if kind == kindPage && colly != nil {
			return colly(req, via)
		}
		return nil
	}
}

// newClient returns the run's one HTTP client. Its transport spaces
// requests per host (delay, robots.txt Crawl-delay; colly's limit rules
// only cap how many run at once), caps and records bodies, and dials only
// allowed addresses (addressGuard, opened for the ranges the seeds resolve
// into); its redirect policy is set by the caller (checkRedirect).
func (r *run) newClient(ctx context.Context, cfg Config, pace *pacer) (*http.Client, error) {
	guard := newAddressGuard(resolveSeeds(ctx, r.seedHosts()))
	r.notes = &pageNotes{}
	transport := &fetchTransport{base: guardedTransport(cfg.Transport, guard, cfg.Parallelism), maxBody: cfg.MaxBodySize,
		recorder: cfg.Recorder, pace: pace, notes: r.notes, redirected: r.redirected, roundTrip: r.roundTrip}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("crawler: cookie jar: %w", err)
	}
	return &http.Client{Transport: transport, Jar: jar, Timeout: cfg.Timeout}, nil
}

// addressGuard refuses connections to non-public addresses at dial time,
// after DNS resolution, with code.dny.dev/ssrf; the special-purpose ranges
// the site's seeds resolve into (a site on the local network, a test
// server on loopback) are allowed. Any port is allowed: scope decides
// which ports a site has.
type addressGuard struct {
	g *ssrf.Guardian
}

// v6Special are the IPv6 ranges a seed may open, by the first that holds
// its address; others open the seed's own address only.
var v6Special = []netip.Prefix{
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("::ffff:0:0/96"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

// newAddressGuard returns a guard that also allows the special-purpose
// ranges holding seeds.
func newAddressGuard(seeds []netip.Addr) *addressGuard {
	strict := ssrf.New(ssrf.WithAnyPort())
	var allow4, allow6 []netip.Prefix
	for _, a := range seeds {
		a = a.Unmap()
		if strict.SafeAddr(a) == nil {
			continue
		}
		if a.Is4() {
			p := netip.PrefixFrom(a, 32)
			for _, d := range ssrf.IPv4DeniedPrefixes {
				if d.Contains(a) {
					p = d
					break
				}
			}
			allow4 = append(allow4, p)
			continue
		}
		p := netip.PrefixFrom(a.WithZone(""), 128)
		for _, d := range v6Special {
			if d.Contains(a.WithZone("")) {
				p = d
				break
			}
		}
		allow6 = append(allow6, p)
	}
	return &addressGuard{g: ssrf.New(ssrf.WithAnyPort(),
		ssrf.WithAllowedV4Prefixes(allow4...), ssrf.WithAllowedV6Prefixes(allow6...))}
}

// control is a net.Dialer Control function: it runs once the address is
// resolved and before the connection is attempted.
func (a *addressGuard) control(network, address string, c syscall.RawConn) error {
	if err := a.g.Safe(network, address, c); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrForbiddenAddress, address, err)
	}
	return nil
}

// resolveSeeds returns the addresses the seeds' hosts resolve to; a host
// that does not resolve adds nothing.
func resolveSeeds(ctx context.Context, seeds []*url.URL) []netip.Addr {
	var out []netip.Addr
	seen := map[string]bool{}
	for _, u := range seeds {
		h := u.Hostname()
		if seen[h] {
			continue
		}
		seen[h] = true
		if a, err := netip.ParseAddr(h); err == nil {
			out = append(out, a)
			continue
		}
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		addrs, err := net.DefaultResolver.LookupNetIP(lctx, "ip", h)
		cancel()
		if err == nil {
			out = append(out, addrs...)
		}
	}
	return out
}

// guardedTransport returns base (http.DefaultTransport's clone when nil)
// dialling through guard. A base that is not an *http.Transport makes its
// own connections and is returned as it is. Proxies are not used: through
// one, the address checked would be the proxy's.
//
// The default keeps parallelism idle connections per host, not Go's 2:
// with more requests than that in flight to one host, every response past
// the second closed its connection and the next request dialled a new one
// (a TCP handshake per page for the crawler and the site alike).
func guardedTransport(base http.RoundTripper, guard *addressGuard, parallelism int) http.RoundTripper {
	own := base == nil
	if own {
		base = http.DefaultTransport
	}
	t, ok := base.(*http.Transport)
	if !ok {
		return base
	}
	t = t.Clone()
	if own && parallelism > t.MaxIdleConnsPerHost {
		t.MaxIdleConnsPerHost = parallelism
		if t.MaxIdleConns != 0 && t.MaxIdleConns < parallelism {
			t.MaxIdleConns = parallelism
		}
	}
	t.Proxy = nil
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: guard.control}
	t.DialContext = d.DialContext
	t.DialTLSContext = nil
	t.DialTLS = nil //nolint:staticcheck // cleared so that DialContext is used
	t.Dial = nil    //nolint:staticcheck
	return t
}
