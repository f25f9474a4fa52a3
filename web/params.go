package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"newsarc/store"
)

// API limits.
const (
	maxLimit     = 100
	defaultLimit = 10
	maxOffset    = 10000
	maxQueryLen  = 500 // characters of q and of each filter
)

// minDate and maxDate are the published dates a query can bound; from and
// to beyond them are clamped to them, so that the store never sees a bound
// it cannot represent. store/bleve keeps dates as int64 nanoseconds since
// 1970 and rejects a date range outside 1677-12-01..2262-04-11, which made
// /api/search?to=3000-01-01 a 500 and /api/export with it a dropped
// connection. Elasticsearch takes these bounds too. Clamping keeps the
// meaning of a far bound (to=3000-01-01: every dated article) and, unlike
// dropping it, still leaves undated articles out.
var (
	minDate = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

// badRequest is a client error in one parameter of a request; the API
// answers it with 400 and a message that names the parameter.
type badRequest struct {
	param string // "" when the error is not about one parameter
	msg   string
}

func (e badRequest) Error() string {
	if e.param == "" {
		return e.msg
	}
	return e.param + ": " + e.msg
}

// params are the query parameters of a request.
type params url.Values

// parseParams returns the query parameters of r, or a badRequest when the
// query string is malformed (a bad %-escape, a ';'), which r.URL.Query
// would silently drop.
func parseParams(r *http.Request) (params, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest{"", "malformed query string: " + err.Error()}
	}
	return params(v), nil
}

// get returns the parameter name, "" when absent; a parameter given more
// than once is an error rather than a silent choice of one value.
func (p params) get(name string) (string, error) {
	switch vs := p[name]; len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	default:
		return "", badRequest{name, fmt.Sprintf("given %d times, want it once", len(vs))}
	}
}

// text returns the parameter name as free text (see checkText).
func (p params) text(name string) (string, error) {
	s, err := p.get(name)
	if err != nil {
		return "", err
	}
	if err := checkText(name, s); err != nil {
		return "", err
	}
	return s, nil
}

// checkText returns a badRequest about the parameter name unless s is
// valid UTF-8, at most maxQueryLen characters, with no control characters
// but tabs and line ends.
func checkText(name, s string) error {
	if !utf8.ValidString(s) {
		return badRequest{name, "not UTF-8"}
	}
	if n := utf8.RuneCountInString(s); n > maxQueryLen {
		return badRequest{name, fmt.Sprintf("%d characters, want at most %d", n, maxQueryLen)}
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }) {
		return badRequest{name, "holds a control character"}
	}
	return nil
}

// langTag is what a language filter may look like: a language tag such as
// articles carry ("zh", "en"), or a longer BCP 47 or POSIX form.
var langTag = regexp.MustCompile(`^[A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8})*$`)

// articleID is what an article ID looks like (store.IDFor makes 24 hex
// digits); a cluster is named by an article ID.
var articleID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// validID reports whether id can name an article.
func validID(id string) bool { return articleID.MatchString(id) }

// number returns the parameter name as an integer from lo to hi, def when
// absent.
func (p params) number(name string, def, lo, hi int) (int, error) {
	s, err := p.get(name)
	if err != nil || s == "" {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badRequest{name, fmt.Sprintf("%q: want a whole number from %d to %d", s, lo, hi)}
	}
	return n, nil
}

// boolean returns the parameter name: true for "true" or "1", false for
// "false", "0" or absent, a badRequest for anything else.
func (p params) boolean(name string) (bool, error) {
	s, err := p.get(name)
	if err != nil {
		return false, err
	}
	switch s {
	case "true", "1":
		return true, nil
	case "", "false", "0":
		return false, nil
	}
	return false, badRequest{name, fmt.Sprintf("%q: want true or false", s)}
}

// oneOf returns the parameter name, def when absent, or a badRequest when
// it is not one of allowed.
func (p params) oneOf(name, def string, allowed ...string) (string, error) {
	s, err := p.get(name)
	if err != nil || s == "" {
		return def, err
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", badRequest{name, fmt.Sprintf("%q: want %s", s, strings.Join(allowed, " or "))}
}

// searchQuery is a search request as the API echoes it.
type searchQuery struct {
	Text   string `json:"q"`
	Site   string `json:"site,omitempty"`
	Lang   string `json:"lang,omitempty"`
	Author string `json:"author,omitempty"`
	// Section and Tag are exact: the article's section, one of its tags.
	Section string `json:"section,omitempty"`
	Tag     string `json:"tag,omitempty"`
	// Cluster selects a group of near-duplicates: a story and its reprints.
	Cluster string `json:"cluster,omitempty"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	Removed bool   `json:"removed,omitempty"` // only articles gone from their site
	Changed bool   `json:"changed,omitempty"` // only articles with more than one version
	// Collapse shows one result per group of reprints, its best match;
	// limit and offset count groups, total still counts articles.
	Collapse bool   `json:"collapse,omitempty"`
	Sort     string `json:"sort"`
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
}

// parseQuery reads the search parameters of r: q, site, lang, author,
// section, tag, cluster, from and to (2006-01-02, 2006-01 or RFC 3339; a
// day or month given as to includes all of it; clamped to
// minDate..maxDate), removed and changed (true or false), sort (relevance
// or date), limit and offset. Every error is a badRequest naming its
// parameter.
func parseQuery(r *http.Request) (store.Query, searchQuery, error) {
	var q store.Query
	var sq searchQuery
	p, err := parseParams(r)
	if err != nil {
		return q, sq, err
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"q", &sq.Text}, {"site", &sq.Site}, {"lang", &sq.Lang}, {"author", &sq.Author},
		{"section", &sq.Section}, {"tag", &sq.Tag}, {"cluster", &sq.Cluster}} {
		if *f.dst, err = p.text(f.name); err != nil {
			return q, sq, err
		}
	}
	sq.Text = strings.TrimSpace(sq.Text)
	if sq.Text != "" {
		// A query that does not parse (an unclosed quote, OR with
		// nothing after it) says where, instead of failing in the store.
		if _, err := store.ParseQuery(sq.Text); err != nil {
			return q, sq, badRequest{"q", err.Error()}
		}
	}
	if sq.Lang != "" && !langTag.MatchString(sq.Lang) {
		return q, sq, badRequest{"lang", fmt.Sprintf("%q: want a language tag such as zh or en", sq.Lang)}
	}
	if sq.Cluster != "" && !validID(sq.Cluster) {
		return q, sq, badRequest{"cluster", fmt.Sprintf("%q: want an article ID", sq.Cluster)}
	}
	q = store.Query{Text: sq.Text, Site: sq.Site, Language: sq.Lang, Author: sq.Author,
		Section: sq.Section, Tag: sq.Tag, Cluster: sq.Cluster}

	if sq.Removed, err = p.boolean("removed"); err != nil {
		return q, sq, err
	}
	if sq.Changed, err = p.boolean("changed"); err != nil {
		return q, sq, err
	}
	q.Removed, q.Changed = sq.Removed, sq.Changed
	if sq.Collapse, err = p.boolean("collapse"); err != nil {
		return q, sq, err
	}

	if sq.From, err = p.get("from"); err != nil {
		return q, sq, err
	}
	if sq.To, err = p.get("to"); err != nil {
		return q, sq, err
	}
	from, err := parseDate("from", sq.From, false)
	if err != nil {
		return q, sq, err
	}
	to, err := parseDate("to", sq.To, true)
	if err != nil {
		return q, sq, err
	}
	if sq.From != "" && sq.To != "" && from.After(to) {
		return q, sq, badRequest{"from", fmt.Sprintf("%q is after to %q", sq.From, sq.To)}
	}
	if sq.From != "" {
		q.From = clampDate(from)
	}
	if sq.To != "" {
		q.To = clampDate(to)
	}

	def := string(store.ByDate)
	if sq.Text != "" {
		def = string(store.ByRelevance)
	}
	if sq.Sort, err = p.oneOf("sort", def, string(store.ByRelevance), string(store.ByDate)); err != nil {
		return q, sq, err
	}
	q.Sort = store.Sort(sq.Sort)
	if sq.Limit, err = p.number("limit", defaultLimit, 1, maxLimit); err != nil {
		return q, sq, err
	}
	if sq.Offset, err = p.number("offset", 0, 0, maxOffset); err != nil {
		return q, sq, err
	}
	q.Limit, q.Offset = sq.Limit, sq.Offset
	return q, sq, nil
}

// parseDate parses the date parameter name: 2006-01-02, 2006-01 or RFC 3339
// (UTC unless the time says otherwise), unclamped; "" is the zero time. As
// an end bound (exclusive in store.Query), a day or a month means the end
// of it.
func parseDate(name, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		if end {
			t = t.AddDate(0, 1, 0)
		}
		return t, nil
	}
	return time.Time{}, badRequest{name, fmt.Sprintf("%q: want 2006-01-02, 2006-01 or RFC 3339", s)}
}

// clampDate returns t within minDate..maxDate. The zero time, which
// 0001-01-01 parses to, becomes minDate: a bound that was given is never
// mistaken for no bound.
func clampDate(t time.Time) time.Time {
	switch {
	case t.Before(minDate):
		return minDate
	case t.After(maxDate):
		return maxDate
	}
	return t
}
