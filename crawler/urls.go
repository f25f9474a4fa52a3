package crawler

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrBadURL is returned for URLs newsarc cannot crawl (not http or https,
// unparsable, or without a host).
var ErrBadURL = errors.New("crawler: bad url")

// dropParams are query keys that never change what a news page shows:
// campaign tracking, click ids, comment-reply links and session ids. Keys
// are compared in lower case; a key ending in '*' is a prefix.
var dropParams = []string{
	"utm_*", "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "twclid",
	"mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ncid", "cmpid", "cmp", "ocid",
	"at_*", "itm_*", "wt.mc_id", "wt_mc", "xtor", "ito", "icid", "intcmp", "cid_source",
	"ref_src", "ref_url", "spm", "scm", "from", "isappinstalled", "scene", "clicktime",
	"wfr", "share", "shared", "sharesource", "replytocom", "amp", "outputtype",
	"phpsessid", "jsessionid", "sid", "sessionid", "session_id", "aspsessionid", "cfid", "cftoken",
}

func dropParam(key string) bool {
	k := strings.ToLower(key)
	for _, p := range dropParams {
		if strings.HasSuffix(p, "*") {
			if strings.HasPrefix(k, strings.TrimSuffix(p, "*")) {
				return true
			}
		} else if k == p {
			return true
		}
	}
	return false
}

var sessionPathParam = regexp.MustCompile(`(?i);(jsessionid|phpsessid|sid)=[^/?#]*`)

// Canonicalize resolves ref against base (which may be nil for an absolute
// ref) and returns the URL newsarc uses as the page's identity: scheme and
// host in lower case, default port, fragment, user info, session path
// parameters and tracking or reply query parameters removed, and the
// remaining query parameters sorted.
func Canonicalize(ref string, base *url.URL) (string, error) {
	u, err := canonicalURL(ref, base)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func canonicalURL(ref string, base *url.URL) (*url.URL, error) {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadURL, ref, err)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: %q: scheme %q", ErrBadURL, ref, u.Scheme)
	}
	host, err := canonicalHost(u.Hostname())
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadURL, ref, err)
	}
	port, err := canonicalPort(u.Scheme, u.Port())
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadURL, ref, err)
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	if sessionPathParam.MatchString(u.Path) {
		u.Path = sessionPathParam.ReplaceAllString(u.Path, "")
		u.RawPath = ""
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			// Keep an unparsable query as it is rather than lose it.
			return u, nil
		}
		keys := make([]string, 0, len(q))
		for k := range q {
			if !dropParam(k) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			vs := q[k]
			sort.Strings(vs)
			for _, v := range vs {
				if b.Len() > 0 {
					b.WriteByte('&')
				}
				b.WriteString(url.QueryEscape(k))
				if v != "" {
					b.WriteByte('=')
					b.WriteString(url.QueryEscape(v))
				}
			}
		}
		u.RawQuery = b.String()
	}
	u.ForceQuery = false
	return u, nil
}

// canonicalHost returns a URL's host name as newsarc compares it: lower
// case, without the trailing dots of a fully qualified name, an IPv6
// address in its shortest form. A host that names nothing newsarc can
// connect to is an error: empty (as in "http://./"), with an empty label
// ("a..b", ".a"), with characters no host name has, or an IPv6 address
// with a zone.
func canonicalHost(h string) (string, error) {
	h = strings.ToLower(h)
	if strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		if err != nil || a.Zone() != "" {
			return "", fmt.Errorf("bad ip address %q", h)
		}
		return a.String(), nil
	}
	h = strings.TrimRight(h, ".")
	if h == "" {
		return "", errors.New("no host")
	}
	if !utf8.ValidString(h) {
		return "", fmt.Errorf("host %q is not utf-8", h)
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" {
			return "", fmt.Errorf("host %q has an empty label", h)
		}
	}
	for _, c := range []byte(h) {
		if c >= 0x80 || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' {
			continue
		}
		return "", fmt.Errorf("host %q holds %q", h, c)
	}
	return h, nil
}

// canonicalPort returns a URL's port without leading zeros, or "" for
// none or the scheme's default.
func canonicalPort(scheme, p string) (string, error) {
	if p == "" {
		return "", nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("bad port %q", p)
	}
	if (scheme == "http" && n == 80) || (scheme == "https" && n == 443) {
		return "", nil
	}
	return strconv.Itoa(n), nil
}

// skipExt are file types that are never news pages.
var skipExt = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".svg": true, ".ico": true, ".bmp": true,
	".css": true, ".js": true, ".json": true, ".pdf": true, ".zip": true, ".rar": true, ".gz": true, ".7z": true,
	".mp3": true, ".mp4": true, ".avi": true, ".mov": true, ".wmv": true, ".flv": true, ".m4a": true, ".webm": true,
	".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true, ".apk": true, ".exe": true,
	".dmg": true, ".woff": true, ".woff2": true, ".ttf": true, ".eot": true, ".txt": true,
}

// searchKeys are query keys that make a page a site-search result page.
var searchKeys = map[string]bool{"s": true, "q": true, "query": true, "keyword": true, "keywords": true,
	"wd": true, "searchword": true, "search": true, "kw": true, "term": true}

// trapSegments are path segments of pages that are never articles and
// often multiply without end: search, calendars, log-in, comment feeds,
// print and share views.
var trapSegments = map[string]bool{
	"search": true, "calendar": true, "wp-admin": true, "wp-login.php": true, "wp-json": true,
	"xmlrpc.php": true, "login": true, "logout": true, "register": true, "signin": true, "signup": true,
	"print": true, "share": true, "trackback": true, "embed": true, "amp": true, "cart": true, "checkout": true,
}

var commentPage = regexp.MustCompile(`(?i)/comment-page-\d+/?$`)

// TrapReason says why a URL is not worth crawling, or "" when it is.
// Feeds and sitemaps are not traps when given as seeds; links to them from
// pages are (comment feeds multiply per article).
func TrapReason(u *url.URL) string {
	if len(u.String()) > 512 {
		return "long-url"
	}
	p := strings.ToLower(u.Path)
	if skipExt[path.Ext(p)] {
		return "not-html"
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	seen := map[string]int{}
	for _, s := range segs {
		if trapSegments[s] {
			return s
		}
		if s != "" {
			seen[s]++
			if seen[s] > 2 {
				return "path-loop"
			}
		}
	}
	if len(segs) > 0 && (segs[len(segs)-1] == "feed" || segs[len(segs)-1] == "rss") {
		return "feed"
	}
	if commentPage.MatchString(p) {
		return "comment-page"
	}
	q := u.Query()
	if len(q) > 6 {
		return "many-params"
	}
	for k := range q {
		lk := strings.ToLower(k)
		if searchKeys[lk] {
			return "search"
		}
		if lk == "cal" || lk == "calendar" || lk == "ical" || lk == "outlook-ical" || lk == "tribe-bar-date" {
			return "calendar"
		}
		if lk == "replytocom" || lk == "print" || lk == "share" || lk == "action" {
			return lk
		}
	}
	return ""
}

var digits = regexp.MustCompile(`\d+`)

// template is a URL's shape with numbers blanked out, used to budget how
// many non-article pages of one shape (calendar months, list pages) a crawl
// fetches.
func template(u *url.URL) string {
	var keys []string
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return u.Host + digits.ReplaceAllString(u.Path, "0") + "?" + strings.Join(keys, "&")
}

// urlSet is a set of URLs kept as 64-bit FNV-1a hashes: 8 bytes a URL
// instead of the URL, for the sets a run keeps of every URL it meets. Two
// URLs of one run share a hash with a chance of about n²/2⁶⁵ (3 in 100
// million at a million URLs); the later one would then be taken for seen.
type urlSet map[uint64]struct{}

// urlHash is FNV-1a, 64 bits, of s (hash/fnv's, without its allocations:
// it runs for every link a page holds).
func urlHash(s string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime
	}
	return h
}

func (s urlSet) has(u string) bool {
	_, ok := s[urlHash(u)]
	return ok
}

func (s urlSet) add(u string) { s[urlHash(u)] = struct{}{} }
