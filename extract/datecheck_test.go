package extract

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	dps "github.com/markusmobius/go-dateparser"
	htmldate "github.com/markusmobius/go-htmldate"
	"golang.org/x/net/html"

	"newsarc/crawler/samplesite"
)

// benchDateRef is the reference time for relative dates ("2 hours ago") on
// the benchmark set, about when it was fetched; the fetch dates are unknown.
var benchDateRef = time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC)

// dateGuess is one method's publish date for a page.
type dateGuess struct {
	t       time.Time // zero when the method found none
	hasTime bool      // the date carries a time of day
}

// datePage is one page a date method runs on.
type datePage struct {
	name string
	url  string
	h    http.Header
	body []byte         // the page as fetched (any charset)
	loc  *time.Location // the zone newsarc assumes for dates without one
	ref  time.Time      // the reference time: fetch time, relative dates
	want time.Time      // the true or reference publish date
}

// dateMethod is a way of finding a page's publish date.
type dateMethod struct {
	name string
	run  func(p *datePage, body []byte) dateGuess
}

// newsarcExtract returns the method that runs the whole Extract (Force, so
// that list-like pages still give their date) and reads Published.
func newsarcExtract() dateMethod {
	return dateMethod{"newsarc Extract", func(p *datePage, body []byte) dateGuess {
		opts := DefaultOptions()
		opts.Force = true
		opts.Now = func() time.Time { return p.ref }
		a, err := New(opts).Extract(context.Background(), p.url, p.h, body)
		if err != nil || a.Published.IsZero() {
			return dateGuess{}
		}
		return dateGuess{a.Published, hasClock(a.Published)}
	}}
}

// newsarcDatesOnly returns the method that runs only the part of Extract
// that dates a page (decode, parse, metadata, pre-cleaning, the lines
// around the title, the URL), without body extraction: what the date costs.
func newsarcDatesOnly() dateMethod {
	return dateMethod{"newsarc date path only", func(p *datePage, body []byte) dateGuess {
		text, _, err := Decode(p.h.Get("Content-Type"), body)
		if err != nil {
			return dateGuess{}
		}
		doc, err := html.Parse(bytes.NewReader(text))
		if err != nil {
			return dateGuess{}
		}
		u, err := url.Parse(p.url)
		if err != nil {
			return dateGuess{}
		}
		m := readMetadata(doc, u, p.h)
		if b := findElement(doc, "body"); b != nil {
			preClean(b, m.h1)
			m.readLines(pageLines(b))
		}
		loc := New(Options{}).location(m.lang.val, u.Hostname())
		t, _ := firstDate(m.published, loc, p.ref, m.yearRef(loc, p.ref))
		if t.IsZero() {
			return dateGuess{}
		}
		return dateGuess{t, hasClock(t)}
	}}
}

// htmldateMethod returns go-htmldate with time extraction on: extensive
// search unless fast, the most recent date unless original. Dates and times
// it returns without a zone are read in the page's zone, as newsarc reads
// them.
func htmldateMethod(name string, fast, original bool) dateMethod {
	return dateMethod{name, func(p *datePage, body []byte) dateGuess {
		text, _, err := Decode(p.h.Get("Content-Type"), body)
		if err != nil {
			return dateGuess{}
		}
		r, err := htmldate.FromReader(bytes.NewReader(text), htmldate.Options{
			URL:                 p.url,
			ExtractTime:         true,
			UseOriginalDate:     original,
			SkipExtensiveSearch: fast,
			MaxDate:             p.ref,
			DateParserConfig:    &dps.Configuration{CurrentTime: p.ref},
		})
		if err != nil || r.IsZero() {
			return dateGuess{}
		}
		t := r.DateTime
		if !r.HasTimezone {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, p.loc)
		}
		return dateGuess{t, r.HasTime}
	}}
}

// htmldateMethods are the go-htmldate settings measured: its defaults
// (extensive search, most recent date), the publication date
// (UseOriginalDate), and the publication date in fast mode.
var htmldateMethods = []dateMethod{
	htmldateMethod("go-htmldate default (extensive, latest)", false, false),
	htmldateMethod("go-htmldate extensive, original date", false, true),
	htmldateMethod("go-htmldate fast, original date", true, true),
}

func hasClock(t time.Time) bool {
	return t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0
}

// sameDay reports whether got falls on want's day: the calendar day of want
// in its own offset, the publisher's day as the page states it. got counts
// by its own calendar day or, when it has a time of day, by the day its
// instant falls on in want's offset ("2019-05-11T02:00Z" is on 10 May for a
// page dated "2019-05-10T22:00-04:00").
func sameDay(got dateGuess, want time.Time) bool {
	day := want.Format(time.DateOnly)
	return got.t.Format(time.DateOnly) == day || got.hasTime && got.t.In(want.Location()).Format(time.DateOnly) == day
}

// dayOff returns how many calendar days got's date is from want's, each
// in its own zone.
func dayOff(got, want time.Time) int {
	g := time.Date(got.Year(), got.Month(), got.Day(), 0, 0, 0, 0, time.UTC)
	w := time.Date(want.Year(), want.Month(), want.Day(), 0, 0, 0, 0, time.UTC)
	return int(max(g.Sub(w), w.Sub(g)) / (24 * time.Hour))
}

// sameMinute reports whether got and want are the same instant to the
// minute.
func sameMinute(got, want time.Time) bool {
	return got.Truncate(time.Minute).Equal(want.Truncate(time.Minute))
}

// rxDateKey matches meta names that carry dates, newsarc's and any other
// (og:updated_time, dc.date.issued, parsely-page with its pub_date, …).
var rxDateKey = regexp.MustCompile(`(?i)date|time|publish|modif|creat|issued|updated|lastmod|parsely-page`)

// stripDates returns the page with its machine-readable dates removed, so
// that only the visible page and the URL are left to date it: every
// <script> (JSON-LD and script-held state), every <meta> whose name,
// property, itemprop or http-equiv names a date, and the content attribute
// of other elements whose itemprop does. <time datetime> stays: it is a
// visible element. The result is UTF-8.
func stripDates(contentType string, body []byte) ([]byte, error) {
	text, _, err := Decode(contentType, body)
	if err != nil {
		return nil, err
	}
	doc, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		return nil, err
	}
	var drop []*html.Node
	elements(doc, func(n *html.Node) bool {
		switch n.Data {
		case "script":
			drop = append(drop, n)
			return false
		case "meta":
			for _, k := range []string{"name", "property", "itemprop", "http-equiv"} {
				if rxDateKey.MatchString(attr(n, k)) {
					drop = append(drop, n)
					break
				}
			}
		default:
			if rxDateKey.MatchString(attr(n, "itemprop")) {
				n.Attr = slices.DeleteFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "content" })
			}
		}
		return true
	})
	for _, n := range drop {
		n.Parent.RemoveChild(n)
	}
	var b bytes.Buffer
	if err := html.Render(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// dateTally counts one method's results against the reference dates.
type dateTally struct {
	name                                string
	pages, found, day, near, timed, min int // near: found a day off
	took                                []time.Duration
}

func (d *dateTally) add(got dateGuess, want time.Time, took time.Duration) bool {
	d.pages++
	d.took = append(d.took, took)
	if got.t.IsZero() {
		return false
	}
	d.found++
	ok := sameDay(got, want)
	if ok {
		d.day++
	} else if dayOff(got.t, want) == 1 {
		d.near++
	}
	if got.hasTime && hasClock(want) {
		d.timed++
		if sameMinute(got.t, want) {
			d.min++
		}
	}
	return ok
}

func (d *dateTally) row() string {
	pct := func(n int) string { return fmt.Sprintf("%d (%.0f%%)", n, 100*float64(n)/float64(max(d.pages, 1))) }
	sorted := slices.Clone(d.took)
	slices.Sort(sorted)
	var sum time.Duration
	for _, t := range sorted {
		sum += t
	}
	ms := func(t time.Duration) float64 { return float64(t) / 1e6 }
	var median time.Duration
	if len(sorted) > 0 {
		median = sorted[len(sorted)/2]
	}
	return fmt.Sprintf("| %s | %d | %s | %d (%d) | %d | %d/%d | %.2f | %.2f |", d.name, d.found, pct(d.day), d.found-d.day, d.near, d.pages-d.found,
		d.min, d.timed, ms(median), ms(sum)/float64(max(len(sorted), 1)))
}

const dateTableHead = "| method | date found | same day | other day (one day off) | none | same minute / both timed | median ms | mean ms |\n|---|---|---|---|---|---|---|---|"

// runDates runs every method on every page, on the page as fetched and on
// the page with its machine-readable dates stripped, and returns the tallies
// in the order full-page methods, then stripped ones. each is called with
// every page and its guesses, in method order.
func runDates(t *testing.T, pages []*datePage, methods []dateMethod, each func(p *datePage, full, stripped []dateGuess)) (full, stripped []*dateTally) {
	t.Helper()
	for _, m := range methods {
		full = append(full, &dateTally{name: m.name})
		stripped = append(stripped, &dateTally{name: m.name + ", stripped"})
	}
	for _, p := range pages {
		bare, err := stripDates(p.h.Get("Content-Type"), p.body)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		bareP := *p
		bareP.h = p.h.Clone()
		bareP.h.Set("Content-Type", "text/html; charset=utf-8")
		gotFull := make([]dateGuess, len(methods))
		gotBare := make([]dateGuess, len(methods))
		for i, m := range methods {
			start := time.Now()
			gotFull[i] = m.run(p, p.body)
			full[i].add(gotFull[i], p.want, time.Since(start))
			start = time.Now()
			gotBare[i] = m.run(&bareP, bare)
			stripped[i].add(gotBare[i], p.want, time.Since(start))
		}
		if each != nil {
			each(p, gotFull, gotBare)
		}
	}
	return full, stripped
}

func fmtGuess(g dateGuess) string {
	switch {
	case g.t.IsZero():
		return "none"
	case g.hasTime:
		return g.t.Format("2006-01-02T15:04Z07:00")
	}
	return g.t.Format(time.DateOnly)
}

// TestPublishDateAgreement measures publish-date extraction on the
// benchmark set (NEWSARC_EXTRACTION_BENCH). The truth has no dates, so the
// reference is the publish date in the page's JSON-LD or meta tags, and the
// pages without one are left out. Each method runs on the page as fetched
// and on the page with its scripts and date meta tags stripped, which leaves
// the visible page and the URL: newsarc's Extract, and go-htmldate with its
// defaults, with UseOriginalDate, and in fast mode. It fails when newsarc
// falls below the agreement it had when this was written.
func TestPublishDateAgreement(t *testing.T) {
	dir := os.Getenv("NEWSARC_EXTRACTION_BENCH")
	if dir == "" {
		t.Skip("NEWSARC_EXTRACTION_BENCH is not set")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gt map[string]struct{ URL string }
	if err := json.Unmarshal(raw, &gt); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(gt))
	for id := range gt {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var pages []*datePage
	var urlN, urlDay int
	for _, id := range ids {
		zraw, err := os.ReadFile(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(zraw))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(gt[id].URL)
		if err != nil {
			t.Fatal(err)
		}
		text, _, _ := Decode("", body)
		doc, err := html.Parse(bytes.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		m := readMetadata(doc, u, http.Header{})
		var meta []field
		for _, f := range m.published {
			if f.src == srcJSONLD || f.src == srcOG || f.src == srcMeta {
				meta = append(meta, f)
			}
		}
		loc := New(Options{}).location(m.lang.val, u.Hostname())
		want, _ := firstDate(meta, loc, benchDateRef, benchDateRef)
		if want.IsZero() {
			continue
		}
		pages = append(pages, &datePage{name: id[:12], url: gt[id].URL, h: http.Header{}, body: body, loc: loc, ref: benchDateRef, want: want})
		if d := urlDate(u.Path); d != "" {
			urlN++
			if d == want.Format(time.DateOnly) {
				urlDay++
			}
		}
	}

	methods := append([]dateMethod{newsarcExtract(), newsarcDatesOnly()}, htmldateMethods...)
	const extractAt, originalAt = 0, 3 // newsarc Extract; go-htmldate extensive, original date
	type diff struct {
		p              *datePage
		newsarc, other dateGuess
	}
	var diffs []diff
	full, stripped := runDates(t, pages, methods, func(p *datePage, full, bare []dateGuess) {
		if !sameDay(full[extractAt], p.want) {
			t.Logf("%s: newsarc Extract %s, reference %s (%s)", p.name, fmtGuess(full[extractAt]), p.want.Format(time.RFC3339), p.url)
		}
		if sameDay(bare[extractAt], p.want) != sameDay(bare[originalAt], p.want) {
			diffs = append(diffs, diff{p, bare[extractAt], bare[originalAt]})
		}
	})
	for _, d := range diffs {
		t.Logf("stripped %s: reference %s; newsarc %s; go-htmldate original %s (%s)", d.p.name,
			d.p.want.Format("2006-01-02T15:04Z07:00"), fmtGuess(d.newsarc), fmtGuess(d.other), d.p.url)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d benchmark pages with a JSON-LD/meta publish date; relative dates against %s\n%s\n",
		len(pages), benchDateRef.Format(time.DateOnly), dateTableHead)
	for _, d := range append(full, stripped...) {
		b.WriteString(d.row() + "\n")
	}
	fmt.Fprintf(&b, "URL date alone: %d pages, same day %d", urlN, urlDay)
	t.Log("\n" + b.String())

	// newsarc's floors: the structured date must win on every page, and
	// the fallback on stripped pages may lose at most 3 pages from its
	// figures after the fallback fixes (146 pages, 127 on the same day;
	// 98 before them).
	if len(pages) >= 140 {
		if got := full[extractAt].day; got < len(pages) {
			t.Errorf("newsarc Extract agrees with the page's own metadata on %d of %d pages", got, len(pages))
		}
		if got := stripped[extractAt].day; got < 124 {
			t.Errorf("newsarc on stripped pages: same day on %d pages, want at least 124", got)
		}
	}
}

// fixtureDates are the extract/testdata golden pages that have a publish
// date, with the date the page shows.
var fixtureDates = map[string]time.Time{
	"en-jsonld-news":      time.Date(2025, 2, 18, 6, 15, 0, 0, time.UTC),        // <time datetime="2025-02-18T06:15:00Z">
	"zh-artibody":         time.Date(2025, 2, 18, 17, 44, 0, 0, shanghaiZone()), // 2025年02月18日 17:44
	"zh-gbk-legacy":       time.Date(2025, 2, 17, 9, 30, 0, 0, shanghaiZone()),  // 发布时间：2025-02-17 09:30:00
	"zh-short-flash":      time.Date(2025, 2, 9, 9, 32, 0, 0, shanghaiZone()),   // 02-09 09:32
	"zh-wordpress-portal": time.Date(2025, 2, 18, 5, 44, 0, 0, shanghaiZone()),  // 2025年2月18日 上午5:44
	// The Chinese audit pages (layouts the other tests had not seen); not
	// zh-audit-gov-province, whose page shows the time without the seconds
	// of its meta tag, so that stripped it is right only to the minute (its
	// golden pins the date).
	"zh-audit-central-portal":    time.Date(2025, 2, 18, 5, 44, 0, 0, shanghaiZone()),              // 2025年02月18日05:44
	"zh-audit-commercial-portal": time.Date(2025, 2, 18, 9, 12, 37, 0, shanghaiZone()),             // 2025-02-18 09:12:37
	"zh-audit-wechat":            time.Date(2025, 2, 18, 20, 31, 0, 0, shanghaiZone()),             // 2025年2月18日 20:31
	"zh-audit-finance":           time.Date(2025, 2, 18, 15, 42, 0, 0, shanghaiZone()),             // 2025年02月18日 15:42
	"zh-audit-evening-tabloid":   time.Date(2025, 2, 18, 9, 15, 0, 0, shanghaiZone()),              // 2月18日 上午9:15, year from /2025/0218/
	"zh-audit-tw":                time.Date(2025, 2, 18, 14, 32, 0, 0, loadZone("Asia/Taipei", 8)), // 2025年2月18日 週二 下午2:32
	"zh-audit-gbk-legacy":        time.Date(2025, 2, 18, 8, 35, 0, 0, shanghaiZone()),              // 更新时间：2025-2-18 8:35:00
}

func shanghaiZone() *time.Location { return loadZone("Asia/Shanghai", 8) }

// fixturePages returns the dated golden pages and every article of the
// sample site, with their true publish dates.
func fixturePages(t *testing.T) []*datePage {
	t.Helper()
	var pages []*datePage
	for _, c := range loadCases(t) {
		want, ok := fixtureDates[c.name]
		if !ok {
			continue
		}
		pages = append(pages, &datePage{name: "testdata/" + c.name, url: c.meta.URL, h: c.header, body: c.body, loc: want.Location(), ref: testNow, want: want})
	}
	if len(pages) != len(fixtureDates) {
		t.Fatalf("found %d of the %d dated golden pages", len(pages), len(fixtureDates))
	}
	site := samplesite.New()
	siteRef := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC) // after the site's last article
	for _, a := range site.Articles() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "http://yunfan.example"+a.Path, nil)
		site.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", a.Path, rec.Code)
		}
		loc := shanghaiZone()
		if a.Lang != "zh" {
			loc = time.UTC // English pages: newsarc assumes UTC for an .example host
		}
		pages = append(pages, &datePage{name: "samplesite" + a.Path, url: "http://yunfan.example" + a.Path, h: rec.Result().Header, body: rec.Body.Bytes(), loc: loc, ref: siteRef, want: a.Published})
	}
	return pages
}

// TestPublishDateFixtures compares newsarc and go-htmldate on the fixture
// pages whose true publish date is known: the dated golden pages and the
// sample site's articles (WordPress, portal, HTML5 and English layouts;
// "2025年2月18日 上午5:44", "2025-02-18 05:44" and English dates; with and
// without JSON-LD and <time>), each as served and with its machine-readable
// dates stripped. newsarc must find every date to the minute, in the right
// zone; go-htmldate's results are only logged.
func TestPublishDateFixtures(t *testing.T) {
	pages := fixturePages(t)
	if len(pages) < 20 {
		t.Fatalf("%d fixture pages, want the dated goldens and the sample site's articles", len(pages))
	}
	methods := []dateMethod{newsarcExtract(), htmldateMethods[1]} // go-htmldate extensive, original date
	// go-htmldate's times without a zone on Chinese pages (as served,
	// stripped), and how many of them are right taken as it returns them:
	// wall clock in UTC.
	var zoned, zonedOK [2]int
	full, stripped := runDates(t, pages, methods, func(p *datePage, full, bare []dateGuess) {
		t.Logf("%-45s true %s | newsarc %s, stripped %s | go-htmldate %s, stripped %s", p.name, p.want.Format("2006-01-02T15:04Z07:00"),
			fmtGuess(full[0]), fmtGuess(bare[0]), fmtGuess(full[1]), fmtGuess(bare[1]))
		for i, g := range []dateGuess{full[0], bare[0]} {
			variant := []string{"as served", "stripped"}[i]
			if g.t.IsZero() || !g.t.Equal(p.want) {
				t.Errorf("%s (%s): newsarc published %s, want %s", p.name, variant, fmtGuess(g), p.want.Format(time.RFC3339))
			}
		}
		for i, g := range []dateGuess{full[1], bare[1]} {
			if g.hasTime && g.t.Location() == p.loc && p.loc != time.UTC {
				zoned[i]++ // a zone-less time, read in the page's zone by htmldateMethod
				if sameMinute(time.Date(g.t.Year(), g.t.Month(), g.t.Day(), g.t.Hour(), g.t.Minute(), 0, 0, time.UTC), p.want) {
					zonedOK[i]++
				}
			}
		}
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%d fixture pages with a known publish date\n%s\n", len(pages), dateTableHead)
	for _, d := range append(full, stripped...) {
		b.WriteString(d.row() + "\n")
	}
	fmt.Fprintf(&b, "go-htmldate times without a zone on Chinese pages: %d as served, %d stripped (right as returned, in UTC: %d, %d); read in Asia/Shanghai above",
		zoned[0], zoned[1], zonedOK[0], zonedOK[1])
	t.Log("\n" + b.String())
}
