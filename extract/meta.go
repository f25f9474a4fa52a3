package extract

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// Provenance values: where a metadata field came from.
const (
	srcJSONLD = "json-ld"
	srcOG     = "opengraph"
	srcMeta   = "meta"
	srcTime   = "time-tag"
	srcText   = "text"
	srcURL    = "url"
)

// field is a metadata value and its provenance.
type field struct{ val, src string }

func (f *field) setIfEmpty(val, src string) {
	if f.val == "" && strings.TrimSpace(val) != "" {
		f.val, f.src = collapse(val), src
	}
}

// metadata is what the page says about the article, gathered before and
// after body extraction.
type metadata struct {
	base      *url.URL
	canonical field
	title     string
	titleSrc  string
	h1        *html.Node // the main heading, when the page has one
	siteNames []string

	subtitle, editor, source, publisher, section, description, topImage field

	authors    []string
	authorsSrc string
	relAuthors []string
	// linkAuthors are the names of links to author pages after the title.
	linkAuthors []string
	// orgAuthors are structured authors that name the site itself,
	// one a line: the byline when the page names no one else.
	orgAuthors field
	orgByline  bool // the authors are orgAuthors: dropPublisher keeps them
	tags       []string
	tagsSrc    string

	published, modified []field // candidates, best first
	lang                field   // declared language
	isArticle           bool    // JSON-LD article type or og:type=article
	ld                  ldInfo  // the page's JSON-LD, for the page-type evidence
	ogType              string  // og:type, for the page-type evidence
	newsType            bool    // JSON-LD says NewsArticle (or a kind of it), which only news pages claim
	listHint            string  // why the page may be a list, e.g. "json-ld CollectionPage"

	account string   // the publishing account named below the title (accountName)
	brands  []string // the names after the title in <title>: channel and site ("新浪财经", "新浪网")

	h1Text string    // the text of h1
	dates  pageDates // date candidates read from elements before pre-cleaning

	lines  []string // visible lines of the cleaned page
	header []string // lines right below the title
	before []string // up to three lines right above the title
	after  []string // lines from the title on
}

var (
	rxArticleType  = regexp.MustCompile(`(?i)^(?:Article|NewsArticle|AnalysisNewsArticle|OpinionNewsArticle|ReportageNewsArticle|BackgroundNewsArticle|ReviewNewsArticle|AskPublicNewsArticle|BlogPosting|LiveBlogPosting|Report|TechArticle|SatiricalArticle|SocialMediaPosting)$`)
	rxListType     = regexp.MustCompile(`(?i)^(?:CollectionPage|SearchResultsPage|ItemList|ProfilePage)$`)
	rxListPath     = regexp.MustCompile(`(?i)/(?:tags?|category|categories|topics?|search|archives?|author|page/\d+|list)(?:/|$|\.)|[?&](?:s|q|query|keyword|kw|wd|tag|cat|page)=`)
	rxURLDate      = regexp.MustCompile(`(?:^|[/_t])(20\d{2})[-/]?(0[1-9]|1[0-2])[-/]?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)`)
	rxURLDateDigit = regexp.MustCompile(`/(20\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/`)
	rxCrumbAttr    = mustLitRegexp(`(?i)bread|crumb|position|location|weizhi|dangqian|curpos`)
	rxCrumbText    = regexp.MustCompile(`^(?:当前位置|您的位置|你的位置|您现在的位置|现在位置)`)
	rxHomeWord     = regexp.MustCompile(`(?i)^(?:首页|网站首页|主页|返回首页|home|homepage)$`)
	rxDateLabel    = mustLitRegexp(`(?i)发布时间|发布日期|发表于|更新时间|最后更新|最近更新|时间\s*[:：]|日期\s*[:：]|published|posted|updated|\b(?:veröffentlicht|aktualisiert|stand|datum|publié|mis à jour|publicado|actualizado|atualizado|pubblicato|aggiornato|gepubliceerd|bijgewerkt|opublikowano|aktualizacja|publisert|oppdatert|udgivet|opdateret|publicerad|uppdaterad|zveřejněno|julkaistu|yayınlanma|güncelleme)\b`)
	// rxFirstLabel finds the label of a date line; update labels make it an
	// update date ("Updated: 18 Nov 2019", "更新时间：…") unless a publish
	// label comes first ("PUBLISHED: … | UPDATED: …").
	rxFirstLabel  = regexp.MustCompile(`(?i)published|posted|publié|pubblicato|publicado|veröffentlicht|发布|发表|首发|updated|modified|last edited|mis à jour|aggiornato|atualizado|actualizado|aktualisiert|更新|修改`)
	rxUpdateLabel = regexp.MustCompile(`(?i)^(?:updated|modified|last edited|mis à jour|aggiornato|atualizado|actualizado|aktualisiert|更新|修改)$`)
	rxKeywordSep  = regexp.MustCompile(`\s*[,，、;；|]\s*`)
	rxHanHyphen   = regexp.MustCompile(`[\p{Han}」》）”](-)[\p{Han}「《（“]`)
	rxTitleSep    = regexp.MustCompile(`\s+[-|–—·»:]{1,2}\s+|\s*[|｜_丨]\s*|\s*——\s*|\s*-{2,}\s*`)
)

var (
	publishedOG   = []string{"article:published_time", "og:article:published_time", "og:published_time", "article:published"}
	publishedMeta = []string{"datepublished", "pubdate", "publishdate", "publish-date", "publish_date", "publishtime", "publication_date",
		"date", "dc.date", "dc.date.issued", "dc.date.created", "dcterms.created", "dcterms.issued", "dcterms.date", "sailthru.date",
		"parsely-pub-date", "article.published", "weibo:article:create_at", "created", "firstpublishedtime", "originalpublicationdate"}
	modifiedOG   = []string{"article:modified_time", "og:updated_time", "article:updated_time"}
	modifiedMeta = []string{"datemodified", "last-modified", "lastmod", "dcterms.modified", "dc.date.modified", "modified", "updated", "lastmodifiedtime"}
)

// looseKey writes a meta name's separators (: . - _) all as _.
func looseKey(k string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ':', '.', '-':
			return '_'
		}
		return r
	}, k)
}

// readMetadata reads the structured metadata of a parsed page: meta tags,
// OpenGraph, JSON-LD, <time>, links and headings.
func readMetadata(doc *html.Node, base *url.URL, h http.Header) *metadata {
	m := &metadata{base: base}
	gq := goquery.NewDocumentFromNode(doc)

	metas := map[string][]string{}
	loose := map[string]string{} // looseKey of a name → its first content, in page order
	gq.Find("meta").Each(func(_ int, s *goquery.Selection) {
		content, ok := s.Attr("content")
		content = strings.TrimSpace(content)
		if !ok || content == "" {
			return
		}
		for _, k := range []string{"property", "name", "itemprop", "http-equiv"} {
			if key, ok := s.Attr(k); ok && key != "" {
				key = strings.ToLower(strings.TrimSpace(key))
				metas[key] = append(metas[key], content)
				if n := looseKey(key); loose[n] == "" {
					loose[n] = content
				}
			}
		}
	})
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := metas[k]; len(v) > 0 {
				return v[0]
			}
		}
		return ""
	}
	// looseFirst finds a key written with other separators
	// (article:published:time, article_published_time, dc:date for
	// dc.date); the dates read it after every exact name.
	looseFirst := func(k string) string { return loose[looseKey(k)] }
	ld := readJSONLD(gq)
	m.ld, m.ogType = ld, strings.TrimSpace(first("og:type"))

	// Page type.
	m.isArticle = ld.article != nil && rxArticleType.MatchString(ld.articleType) || strings.EqualFold(first("og:type"), "article")
	m.newsType = ld.article != nil && strings.Contains(strings.ToLower(ld.articleType), "news")
	for _, t := range ld.types {
		if rxListType.MatchString(t) && ld.article == nil {
			m.listHint = "json-ld " + t
		}
	}
	if m.listHint == "" && rxListPath.MatchString(base.RequestURI()) {
		m.listHint = "url " + base.RequestURI()
	}

	// Canonical URL.
	if href, ok := gq.Find(`link[rel~="canonical"]`).First().Attr("href"); ok {
		m.canonical.setIfEmpty(resolve(base, href), srcMeta)
	}
	m.canonical.setIfEmpty(resolve(base, first("og:url")), srcOG)
	m.canonical.setIfEmpty(base.String(), srcURL)

	// Site names, for stripping title suffixes and telling authors from
	// publishers.
	m.publisher.setIfEmpty(first("og:site_name"), srcOG)
	m.publisher.setIfEmpty(ldString(ld.article["publisher"]), srcJSONLD)
	docTitle := collapse(gq.Find("title").First().Text())
	for _, n := range []string{first("og:site_name"), ldString(ld.article["publisher"]), first("application-name", "sitename"), ld.siteName, strings.TrimPrefix(first("twitter:site"), "@")} {
		if n = collapse(n); n != "" {
			m.siteNames = append(m.siteNames, n)
		}
	}
	if label := hostLabel(base.Hostname()); label != "" {
		m.siteNames = append(m.siteNames, label)
	}
	m.siteNames = append(m.siteNames, domainNamed(slices.Concat(metas["author"], metas["copyright"]), base.Hostname())...)

	// Title and main heading.
	m.readTitle(gq, titleSources{
		og: first("og:title"), meta: first("twitter:title", "articletitle"),
		ld: ldString(ld.article["headline"]), doc: docTitle,
	})
	h1Text := m.h1Text

	m.publisher.setIfEmpty(titleSiteName(docTitle, m.title), srcMeta)
	m.brands = titleTails(docTitle, m.title)

	m.account = accountName(doc, m.h1)

	m.subtitle.setIfEmpty(ldString(ld.article["alternativeHeadline"]), srcJSONLD)
	if m.h1 != nil || headingText(gq, m.title) {
		found := false
		elements(doc, func(n *html.Node) bool {
			if found || !subtitleClass(n) {
				return !found
			}
			if t := collapse(allText(n)); t != "" && runeLen(t) <= 200 && t != h1Text {
				m.subtitle.setIfEmpty(t, srcText)
				found = true
			}
			return !found
		})
	}

	// Authors. Values that name the site, not a person, are left out here
	// so that a byline on the page gets its turn; they are the byline
	// when the page has no other (orgAuthors).
	for _, c := range []struct {
		values []string
		src    string
	}{
		{ldStrings(ld.article["author"]), srcJSONLD},
		{slices.Concat(metas["author"], metas["dc.creator"], metas["parsely-author"], metas["sailthru.author"], metas["byl"]), srcMeta},
		{writtenBy(metas), srcMeta},
		{metas["article:author"], srcOG},
	} {
		all := cleanNames(splitJoined(c.values))
		if names := m.notSite(all); len(m.authors) == 0 && len(names) > 0 {
			m.setAuthors(names, c.src)
		} else if m.orgAuthors.val == "" && len(names) == 0 && len(all) > 0 && !slices.ContainsFunc(all, rxVendorName.MatchString) {
			m.orgAuthors = field{strings.Join(all, "\n"), c.src}
		}
	}
	gq.Find(`a[rel~="author"], [itemprop="author"] [itemprop="name"]`).Each(func(_ int, s *goquery.Selection) {
		m.relAuthors = append(m.relAuthors, s.Text())
	})
	m.linkAuthors = authorLinks(doc, m.h1)

	// Dates.
	m.published = append(m.published, field{ldString(ld.article["datePublished"]), srcJSONLD})
	m.modified = append(m.modified, field{ldString(ld.article["dateModified"]), srcJSONLD})
	// Every exactly written name, then the same names written loosely.
	for _, pick := range []func(string) string{func(k string) string { return first(k) }, looseFirst} {
		for _, g := range []struct {
			keys []string
			src  string
			to   *[]field
		}{{publishedOG, srcOG, &m.published}, {publishedMeta, srcMeta, &m.published}, {modifiedOG, srcOG, &m.modified}, {modifiedMeta, srcMeta, &m.modified}} {
			for _, k := range g.keys {
				*g.to = append(*g.to, field{pick(k), g.src})
			}
		}
	}
	m.dates = readDates(doc, m.h1)
	m.published = append(m.published, m.dates.marked...)
	if t := gq.Find(`time[itemprop="dateModified"]`).AttrOr("datetime", ""); t != "" {
		m.modified = append(m.modified, field{t, srcTime})
	}
	m.modified = append(m.modified, m.dates.updated...)

	// Language.
	if lang, ok := gq.Find("html").Attr("lang"); ok {
		m.lang.setIfEmpty(normalizeLang(lang), srcMeta)
	}
	m.lang.setIfEmpty(normalizeLang(first("content-language", "language", "dc.language")), srcMeta)
	m.lang.setIfEmpty(normalizeLang(first("og:locale")), srcOG)
	m.lang.setIfEmpty(normalizeLang(ldString(ld.article["inLanguage"])), srcJSONLD)
	m.lang.setIfEmpty(normalizeLang(h.Get("Content-Language")), srcMeta)

	// Section.
	m.section.setIfEmpty(first("article:section"), srcOG)
	m.section.setIfEmpty(ldString(ld.article["articleSection"]), srcJSONLD)
	m.section.setIfEmpty(crumbSection(ld.breadcrumb, m.title), srcJSONLD)
	m.section.setIfEmpty(visibleCrumb(gq, m.title), srcText)
	m.section.setIfEmpty(gq.Find(`a[rel~="category"]`).First().Text(), srcText)

	// Tags.
	switch {
	case len(metas["article:tag"]) > 0:
		m.tags, m.tagsSrc = splitKeywords(metas["article:tag"]), srcOG
	case len(ldStrings(ld.article["keywords"])) > 0:
		m.tags, m.tagsSrc = splitKeywords(ldStrings(ld.article["keywords"])), srcJSONLD
	case first("keywords", "news_keywords") != "":
		m.tags, m.tagsSrc = splitKeywords([]string{first("keywords", "news_keywords")}), srcMeta
	default:
		var tags []string
		gq.Find(`a[rel~="tag"]`).Each(func(_ int, s *goquery.Selection) {
			if rel, _ := s.Attr("rel"); !strings.Contains(rel, "category") {
				tags = append(tags, s.Text())
			}
		})
		if len(tags) == 0 {
			tags = labelledTags(gq)
		}
		m.tags, m.tagsSrc = splitKeywords(tags), srcText
	}

	src := first("contentsource", "source")
	if loc := rxSourcePrefix.FindStringIndex(foldZH(src)); loc != nil {
		src = src[loc[1]:]
	}
	m.source.setIfEmpty(sourceName(src), srcMeta)

	m.description.setIfEmpty(first("og:description"), srcOG)
	m.description.setIfEmpty(first("description"), srcMeta)
	m.description.setIfEmpty(ldString(ld.article["description"]), srcJSONLD)

	for _, c := range []field{{first("og:image", "og:image:url", "og:image:secure_url"), srcOG}, {first("twitter:image", "twitter:image:src"), srcMeta}, {ldString(ld.article["image"]), srcJSONLD}} {
		if c.val != "" && !isPlaceholderSrc(c.val) {
			m.topImage.setIfEmpty(resolve(base, c.val), c.src)
		}
	}
	return m
}

// readLines takes the visible lines of the cleaned page and finds the
// title among them (the h1's line, else the title's). Publish-date
// candidates are added after the structured ones, best first: <time>
// elements whose text is near the title (or that show none); date lines
// below the title, then up to three short ones right above it (wire
// stories often put the date above the headline); the URL's date; short
// elements named for a date or byline that pre-cleaning removed (a date in
// the share bar); other <time> elements; and last, update dates
// ("Updated …") and relative ones ("an hour ago", "3小时前").
func (m *metadata) readLines(lines []string) {
	m.lines = lines
	at := titleLine(lines, m.h1Text)
	if at < 0 {
		at = titleLine(lines, m.title)
	}
	var first, later, updates, labelled []field // text candidates: publish dates, relative dates, update dates, labelled dates further down
	add := func(l string) {
		switch dateKind(l) {
		case datePublish:
			first = append(first, field{l, srcText})
			// "發佈時間：… 最後更新：…": the update part is the modified date.
			if loc := rxUpdateField.FindStringIndex(foldZH(l)); loc != nil && loc[0] > 0 {
				updates = append(updates, field{l[loc[0]:], srcText})
			}
		case dateLater:
			later = append(later, field{l, srcText})
		case dateUpdate:
			updates = append(updates, field{l, srcText})
		}
	}
	near := ""
	if at >= 0 {
		m.after = lines[at:]
		end := min(len(lines), at+7)
		for _, l := range lines[at+1 : end] {
			if runeLen(l) <= 120 {
				m.header = append(m.header, l)
				if !proseWithDate(l) {
					add(l)
				}
			} else if head := leadingDate(l); head != "" {
				add(head) // "Monday, November 18, 2019, 04:05 pm PT Welcome to …"
			}
		}
		m.before = lines[max(0, at-3):at]
		for i := at - 1; i >= max(0, at-3); i-- {
			if l := lines[i]; runeLen(l) <= 80 && isDateLine(l) {
				add(l)
			}
		}
		near = squeeze(strings.Join(lines[max(0, at-3):end], " "))
		// "Datum 28.04.2023" in a box beside the body or below it.
		for _, l := range lines[end:min(len(lines), at+maxLabelledDateLines)] {
			if runeLen(l) <= 60 && (rxDateField.MatchString(l) || rxDateLabel.MatchString(l)) && isDateLine(l) && dateKind(l) == datePublish {
				labelled = append(labelled, field{l, srcText})
			}
		}
	} else {
		m.after = lines
		for _, l := range lines[:min(len(lines), 40)] {
			if runeLen(l) <= 100 && rxDateLabel.MatchString(foldZH(l)) {
				add(l)
			}
		}
	}
	var farTimes []field
	for _, d := range m.dates.times {
		switch {
		case d.f.val == d.text && relativeOnly(d.text):
			later = append(later, d.f) // "22 hours ago" with no datetime attribute
		case at < 0 || d.text == "" || strings.Contains(near, squeeze(d.text)):
			m.published = append(m.published, d.f)
		default:
			farTimes = append(farTimes, d.f) // a related story's date, as often as not
		}
	}
	m.published = append(m.published, first...)
	if d := urlDate(m.base.Path); d != "" {
		m.published = append(m.published, field{d, srcURL})
	}
	m.published = append(m.published, labelled...)
	m.published = append(m.published, m.dates.elements...)
	m.published = append(m.published, farTimes...)
	m.published = append(m.published, later...)
	m.published = append(m.published, updates...)
	m.published = append(m.published, m.dates.comment...)
	m.modified = append(m.modified, updates...)
}

// maxLabelledDateLines is how many lines from the title readLines reads
// for a labelled date ("Datum 28.04.2023") beyond the header.
const maxLabelledDateLines = 120

// rxDateField matches a line that starts with the word "date" as a field
// label: "Date 25.05.2019", "Datum: 28.04.2023", "Fecha: …".
var rxDateField = regexp.MustCompile(`^(?i:date|datum|fecha|data|dato|datë|tarih|päivämäärä)\s*[:：]?\s+\d`)

// rxTagLabel matches the label of a line of tag links: "標籤：", "标签",
// "Tags:".
var rxTagLabel = regexp.MustCompile(`(?i)^(?:标签|关键词|关键字|tags?)\s*[:：]?\s*`)

// labelledTags returns the link texts of a short element that starts with
// a tag label and holds links ("標籤：<a>北部都會區</a><a>大學城</a>").
func labelledTags(gq *goquery.Document) []string {
	var tags []string
	gq.Find("div, p, ul, span").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		n := s.Get(0)
		if textLonger(n, 120) { // foldZH keeps the length
			return true
		}
		if t := foldZH(textOf(n)); !rxTagLabel.MatchString(t) {
			return true
		}
		links := s.Find("a")
		if links.Length() == 0 || links.Length() > 12 {
			return true
		}
		links.Each(func(_ int, a *goquery.Selection) {
			if v := collapse(a.Text()); v != "" && runeLen(v) <= 20 {
				tags = append(tags, v)
			}
		})
		return len(tags) == 0
	})
	return tags
}

// rxUpdateField matches an update label inside a date line.
var rxUpdateField = regexp.MustCompile(`(?i)最后更新|最近更新|更新时间|更新于|修改时间|last updated|updated\s*(?:on|at)?\s*:`)

// proseWithDate reports whether a line below the title is a sentence that
// mentions a date ("中央气象台2月18日6时发布寒潮橙色预警，…", a photo's caption
// "Soldiers near the front, 24 April 2023") rather than a date line: it has
// no date label, the date does not make up most of it, and it has Chinese
// clause punctuation or, in other scripts, reads as a sentence: it does not
// open with a byline word ("By", "Von") and has no field separators
// ("|", "·").
func proseWithDate(l string) bool {
	f := foldZH(l)
	if rxDateLabel.MatchString(f) || mostlyDate(l) {
		return false
	}
	if strings.ContainsAny(stripBrackets(f), "，。；！？") {
		return true
	}
	return !rxHan.MatchString(f) && !rxBylineOpen.MatchString(f) && !strings.ContainsAny(f, "|·•/")
}

// rxBylineOpen matches the start of a byline line: "By", "Von", "Por",
// "Par", "Di", "Door", "Av", "Af".
var rxBylineOpen = regexp.MustCompile(`^(?i:by|von|por|par|di|door|av|af|from)\s`)

// titleLine returns the index of the line that is the title t, or -1.
func titleLine(lines []string, t string) int {
	title := squeeze(t)
	if runeLen(title) < 4 {
		return -1
	}
	for i, l := range lines {
		if s := squeeze(l); s != "" && (s == title || strings.Contains(s, title) && runeLen(l) <= runeLen(t)+20) {
			return i
		}
	}
	return -1
}

// Kinds of lines near the title, for dateKind.
const (
	dateNone    = iota
	datePublish // a date, or a line labelled as a publish date
	dateLater   // a relative date: ranked after the URL's
	dateUpdate  // a line labelled as an update ("最后更新：…", "Updated …"): a modified date, and the last publish candidate
)

// dateKind tells whether a line near the title is a publish date, an
// update or relative date, or no date. A relative date ("3小时前", "an hour
// ago", "今天 08:05") counts only on a short or labelled line, "today" and
// its like only with a time of day or a label: a subtitle saying "Deals Go
// Live Today" is no date.
func dateKind(l string) int {
	l = foldZH(l) // 發佈時間
	label := rxDateLabel.MatchString(l)
	switch {
	case isDateLine(l):
	case rxAgoZH.MatchString(l) || rxAgoEN.MatchString(l):
		if runeLen(l) > 40 && !label {
			return dateNone
		}
		if w := rxFirstLabel.FindString(l); w != "" && rxUpdateLabel.MatchString(w) {
			return dateUpdate // "最近更新：3分钟前"
		}
		return dateLater
	case rxDayWord.MatchString(l):
		if !label && !rxClockAny.MatchString(l) && runeLen(l) > 4 {
			return dateNone
		}
		return dateLater
	case !label:
		return dateNone
	}
	if w := rxFirstLabel.FindString(l); w != "" && rxUpdateLabel.MatchString(w) {
		return dateUpdate
	}
	return datePublish
}

// relativeOnly reports whether s is a relative date ("22 hours ago",
// "昨天") with no date of its own.
func relativeOnly(s string) bool {
	return s != "" && !isDateLine(s) && (rxAgoZH.MatchString(s) || rxAgoEN.MatchString(s) || rxDayWord.MatchString(s))
}

// leadingDate returns the head of a long line when it starts with a date
// and a time of day (a byline date that the page runs into the first
// paragraph), else "".
func leadingDate(l string) string {
	head := runeHead(l, 60)
	// A time of day has a colon; most paragraphs' heads have none.
	if !strings.ContainsRune(head, ':') && !strings.ContainsRune(head, '：') {
		return ""
	}
	if loc := rxClockAny.FindStringIndex(head); loc != nil && isDateLine(head[:loc[0]]) {
		return head
	}
	return ""
}

// runeHead returns the first n runes of s as string([]rune(s)[:n]) does
// (each invalid byte a U+FFFD), without converting the rest of s.
func runeHead(s string, n int) string {
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if head := s[:i]; utf8.ValidString(head) {
		return head
	}
	return string([]rune(s[:i]))
}

// yearRef returns the reference for dates without a year: the date in
// the page's URL, else ref (the fetch time).
func (m *metadata) yearRef(loc *time.Location, ref time.Time) time.Time {
	if d := urlDate(m.base.Path); d != "" {
		if t, err := time.ParseInLocation(time.DateOnly, d, loc); err == nil {
			return t
		}
	}
	return ref
}

// urlDate returns the date in a URL path as YYYY-MM-DD, or "":
// "/2019/11/18/…", "/20191118/…", "/2019-11-18-…", "/2019/11/8/…".
func urlDate(path string) string {
	if d := rxURLDate.FindStringSubmatch(path); d != nil {
		return d[1] + "-" + d[2] + "-" + d[3]
	}
	if d := rxURLDateDigit.FindStringSubmatch(path); d != nil {
		return fmt.Sprintf("%s-%02d-%02d", d[1], atoi(d[2]), atoi(d[3]))
	}
	return ""
}

var (
	// Label patterns run on foldZH text, so that Traditional pages
	// (責任編輯, 來源) match too.
	// rxEditor's second form is a 责任编辑 label without separator, then a
	// space and a name: "责任编辑 何思远".
	rxEditor      = mustLitRegexp(`(?:责任编辑|责编|值班编辑|编辑)\s*[:：|｜丨]\s*([^\s\x{3000}\x{a0}:：|｜丨,，;；【】\[\]()（）]{1,16})|(?:^|[\s\x{3000}\x{a0}（(【\[])(?:责任编辑|责编)[\s\x{3000}\x{a0}]+(\p{Han}{2,4}|\p{Han}{1,5}·\p{Han}{1,5})(?:$|[\s\x{3000}\x{a0}）)】\]])`)
	rxEditorEN    = mustLitRegexp(`(?i:edit(?:ing|ed) by)\s+(\p{Lu}[\w.'-]+(?:\s+\p{Lu}[\w.'-]+){0,3})`)
	rxStaffCode   = regexp.MustCompile(`\s*[_\-－]?[A-Za-z]{1,6}\d{2,}$|[_\-－]+$`)
	rxSourceLabel = mustLitRegexp(`(?:文章来源|本文来源|新闻来源|信息来源|稿件来源|来源|稿源|供稿单位|供稿)\s*[:：]\s*([^\s\x{3000}:：|｜丨,，;；【】\[\]()（）]{2,30})|(?:本文转载自|转载自|原载于?)\s*[:：]?\s*([^\s\x{3000}:：|｜丨,，;；。【】\[\]()（）]{2,30})|本文(?:来自|转自|选自)(?:微信)?(?:公众号|微信号)?\s*[“"「『]([^”"」』]{2,30})[”"」』]`)
	// rxSourcePrefix matches a source label left in a meta value:
	// <meta name="source" content="来源：人民网－人民日报">.
	rxSourcePrefix = regexp.MustCompile(`^\s*(?:文章来源|本文来源|新闻来源|信息来源|来源|稿源|出处|source)\s*[:：]\s*`)
	rxAuthorLabel  = regexp.MustCompile(`(?:^|[\s|｜【\[(（,，])(?:作者|记者|撰文|撰稿|文)\s*[:：/／]\s*(.+)`)
	rxByName       = regexp.MustCompile(`^(?:By|BY|by)\s+(.+)$`)
	rxPublisher    = mustLitRegexp(`发布者\s*[:：]\s*([^\s,，;；。:：]{1,30})`)
	rxOrigTitle    = mustLitRegexp(`原标题\s*[:：]\s*(.{2,100})`)
	rxFieldWord    = regexp.MustCompile(`^(?:作者|记者|编辑|责任编辑|来源|时间|发布|日期|阅读|浏览|点击|字号)`)
	// rxGluedLabel matches a label that inline markup ran into the value
	// before it: "新华网作者", "江城晚报阅读".
	rxGluedLabel = regexp.MustCompile(`(?:作者|记者|通讯员|责任编辑|责编|编辑|审核|校对|时间|发布时间|发布|日期|更新|阅读|阅读数|阅读量|浏览|浏览量|浏览次数|点击|点击数|点击量|评论|字号|字体|分享|打印|关闭|人气|热度)$`)
	// rxEditionLine matches a print-edition line: "《 人民日报 》（ 2025年02月18日
	// 13 版）"; group 1 is the paper.
	rxEditionLine = regexp.MustCompile(`^[\s(（]*《\s*([^》]{2,20}?)\s*》\s*[(（]\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:第?\s*\d{1,3}\s*版\s*)?[)）][\s)）]*$`)
)

// harvest reads editor, source, publisher, byline and original-title lines:
// first from the lines postClean removed from the body and readability's
// byline, then from the header below the title and the rest of the page.
// Authors come from byline lines (parseByline) when the page's markup
// named none: the header's, the removed lines', a bracketed byline at the
// start of the lead, rel=author links, and last readability's byline. The
// outlet a byline names ("江城晚报记者 …") is the source when no line
// labels one.
func (m *metadata) harvest(removed []string, byline string) {
	labelled := removed
	editorChief, editorGroup := false, -1
	if byline != "" {
		labelled = append(slices.Clip(removed), byline) // "本文来源：新京报 作者：林晓雯 责任编辑：…"
	}
	for gi, group := range [][]string{labelled, m.header, m.before, m.after} {
		for _, l := range group {
			if runeLen(l) > 200 {
				continue
			}
			f := foldZH(l)
			if all := rxEditor.FindAllStringSubmatchIndex(f, -1); all != nil {
				// The editor of record (责任编辑) before a plain 编辑, in
				// the same line or group.
				for _, s := range all {
					v := submatch(l, s, 1)
					if v == "" {
						v = submatch(l, s, 2)
					}
					name := editorName(sourceName(v))
					chief := strings.HasPrefix(f[s[0]:], "责")
					if m.editor.val == "" || chief && !editorChief && editorGroup == gi {
						if name != "" {
							m.editor = field{name, srcText}
							editorChief, editorGroup = chief, gi
						}
					}
				}
			} else if s := rxEditorEN.FindStringSubmatch(l); s != nil {
				m.editor.setIfEmpty(s[1], srcText)
			}
			if s := rxSourceLabel.FindStringSubmatchIndex(f); s != nil && !notSourceLine(f, s[0]) {
				m.source.setIfEmpty(sourceName(submatch(l, s, 1)+submatch(l, s, 2)+submatch(l, s, 3)), srcText)
			}
			if s := rxPublisher.FindStringSubmatchIndex(f); s != nil {
				m.publisher.setIfEmpty(l[s[2]:s[3]], srcText)
			}
			if s := rxOrigTitle.FindStringSubmatchIndex(f); s != nil {
				m.subtitle.setIfEmpty(trimUnopened(l[s[2]:s[3]]), srcText)
			}
		}
	}
	for _, l := range removed {
		if s := rxEditionLine.FindStringSubmatch(l); s != nil {
			m.source.setIfEmpty(s[1], srcText)
		}
	}
	if m.editor.val != "" && m.authorsSrc != srcText && slices.Contains(m.authors, m.editor.val) {
		// A CMS that puts the editor in <meta name="author">: the visible
		// byline, if any, names the writers.
		m.authors = slices.DeleteFunc(m.authors, func(n string) bool { return n == m.editor.val })
		if len(m.authors) == 0 {
			m.authorsSrc = ""
		}
	}
	// A structured author that is only the site's, channel's or
	// publisher's name (<meta property="article:author" content="新浪财经">)
	// gives way to a byline on the page; it is kept when there is none.
	var brandAuthors []string
	if len(m.authors) > 0 && m.authorsSrc != srcText && !slices.ContainsFunc(m.authors, func(a string) bool {
		return !matchesName(a, append(append([]string{m.publisher.val}, m.siteNames...), m.brands...))
	}) {
		brandAuthors, m.authors = m.authors, nil
	}
	brandSrc := m.authorsSrc
	outlet := ""
	for _, group := range [][]string{m.header, removed} {
		for _, l := range group {
			if runeLen(l) > 120 {
				continue
			}
			b := bylineNames(l)
			if outlet == "" {
				outlet = b.outlet
			}
			if len(m.authors) > 0 {
				continue
			}
			if len(b.names) > 0 {
				m.setAuthors(b.names, srcText)
			} else if s := rxAuthorLabel.FindStringSubmatch(l); s != nil {
				m.setAuthors(labelNames(s[1]), srcText)
			} else if s := rxByName.FindStringSubmatch(l); s != nil {
				m.setAuthors(cleanNames(splitNames(s[1])), srcText)
			} else if names := m.notSite(byWordNames(l)); len(names) > 0 {
				m.setAuthors(names, srcText)
			}
		}
	}
	if len(m.authors) == 0 {
		// "本报讯（记者 王建国 通讯员 赵丽）2月17日，…" opens the lead.
		for _, l := range m.after[min(1, len(m.after)):min(12, len(m.after))] {
			head := foldZH(runeHead(l, 70))
			if s := rxByBracket.FindStringSubmatchIndex(head); s != nil {
				if b := parseByline(l[s[2]:s[3]]); len(b.names) > 0 {
					m.setAuthors(b.names, srcText)
					break
				}
			}
		}
	}
	if len(m.authors) == 0 {
		m.setAuthors(cleanNames(splitJoined(m.relAuthors)), srcText)
	}
	if len(m.authors) == 0 {
		m.setAuthors(m.notSite(cleanNames(m.linkAuthors)), srcText)
	}
	if len(m.authors) == 0 {
		m.setAuthors(labelledAuthors(slices.Concat(m.header, removed, m.after[:min(len(m.after), maxAuthorLines)])), srcText)
	}
	if byline != "" && runeLen(byline) <= 120 {
		b := bylineNames(byline)
		if outlet == "" {
			outlet = b.outlet
		}
		if len(m.authors) == 0 {
			m.setAuthors(b.names, srcText)
		}
		if len(m.authors) == 0 && !rxHan.MatchString(byline) {
			// "By Jane Doe — November 18, 2019", "Текст: Венера Ерофеева";
			// not a date ("20 Nov 2019 08:00 GMT").
			if i := strings.IndexAny(byline, ":："); i >= 0 && strings.Count(byline, ":")+strings.Count(byline, "：") == 1 &&
				runeLen(byline[:i]) <= 15 && !hasDigit(byline[:i]) {
				_, size := utf8.DecodeRuneInString(byline[i:])
				byline = byline[i+size:]
			}
			if !strings.ContainsAny(byline, ":：") {
				m.setAuthors(slices.DeleteFunc(cleanNames(splitNames(byline)), hasDigit), srcText)
			}
		}
	}
	if len(m.authors) == 0 && len(brandAuthors) > 0 {
		m.authors, m.authorsSrc = brandAuthors, brandSrc
		m.orgByline = true
	}
	if len(m.authors) == 0 && m.orgAuthors.val != "" {
		m.authors, m.authorsSrc = strings.Split(m.orgAuthors.val, "\n"), m.orgAuthors.src
		m.orgByline = true
	}
	m.source.setIfEmpty(outlet, srcText)
	// On a platform (a WeChat public account, a self-media "号") the site
	// name is the platform's; the publisher is the account named below
	// the title, unless that name is the writer's.
	if a := m.account; a != "" && !matchesName(a, m.siteNames) && !slices.ContainsFunc(m.authors, func(n string) bool { return matchesName(n, []string{a}) }) {
		m.publisher = field{a, srcText}
	}
}

// rxNoteLine matches a footnote ("[2] …", "注：…", "①…") or a disclaimer
// ("新浪声明：…", "免责声明", "不代表本站观点"): the source such a line names
// is a datum's or a syndication notice's, not the article's.
var (
	rxNoteLine    = regexp.MustCompile(`^\s*(?:[\[［【(（]\s*\d{1,3}\s*[\]］】)）]|\d{1,2}\s*[.、]|[①-⑳]|注\s*[:：\d])|声明|免责|不代表|仅供参考|版权归`)
	rxDatumSource = regexp.MustCompile(`(?:数据|图片|图表|资料|图|视频|素材)$`)
)

// notSourceLine reports whether the source label at byte offset at of the
// folded line f does not name the article's source: it is in a footnote or
// a disclaimer, or names where a datum or picture came from ("数据来源：").
func notSourceLine(f string, at int) bool {
	return rxNoteLine.MatchString(f) || rxDatumSource.MatchString(f[:at])
}

// submatch returns group i of a FindStringSubmatchIndex result on s, or "".
func submatch(s string, loc []int, i int) string {
	if loc[2*i] < 0 {
		return ""
	}
	return s[loc[2*i]:loc[2*i+1]]
}

// trimUnopened drops closing brackets at the end of s that nothing in s
// opens: the "）" of "（原标题：……）".
func trimUnopened(s string) string {
	for _, p := range [][2]string{{"（", "）"}, {"(", ")"}, {"【", "】"}, {"[", "]"}} {
		for strings.HasSuffix(s, p[1]) && strings.Count(s, p[0]) < strings.Count(s, p[1]) {
			s = strings.TrimSpace(strings.TrimSuffix(s, p[1]))
		}
	}
	return s
}

// editorName keeps the name of an editor line and drops a trailing staff
// code: "于浩淙 zx0176" and "于浩淙zx0176" give "于浩淙".
func editorName(s string) string {
	if t := rxStaffCode.ReplaceAllString(s, ""); runeLen(t) >= 2 {
		return t
	}
	return s
}

// sourceName trims a following label glued on: "新华网作者" gives "新华网".
func sourceName(s string) string {
	for i := 0; i < 2; i++ {
		s = rxGluedLabel.ReplaceAllString(s, "")
	}
	return strings.TrimSpace(s)
}

// language returns the page language: the declared one, unless the body
// text is plainly in another script (a template left at lang="en-US" on a
// Chinese site), else the one detected from the text.
func (m *metadata) language(text string) (string, string) {
	detected := detectLanguage(text)
	declared := m.lang.val
	switch {
	case declared == "":
		if detected != "" {
			return detected, srcText
		}
		return "", ""
	case detected != "" && detected != declared && (isCJKLang(detected) || isCJKLang(declared)):
		return detected, srcText
	}
	return declared, m.lang.src
}

func isCJKLang(l string) bool { return l == "zh" || l == "ja" || l == "ko" }

// accountName returns the publishing account's name shown in the article
// header: the text of a short element after the main heading h1, before
// the prose starts, whose class or id names a nickname or an account name
// (WeChat's "rich_media_meta_nickname", "account-name") and not an author
// (hCard "fn", "author", rel=author). "" when there is none. harvest
// makes it the publisher when it is not one of the authors.
func accountName(doc, h1 *html.Node) string {
	if h1 == nil {
		return ""
	}
	seen, steps := false, 0
	name := ""
	elements(doc, func(n *html.Node) bool {
		if name != "" || steps > maxHeaderElements {
			return false
		}
		if n == h1 {
			seen = true
			return false
		}
		if !seen {
			return true
		}
		steps++
		if t, ok := shortText(n, 400); (!ok || runeLen(t) >= 50) && !hasBlockChild(n) {
			steps = maxHeaderElements + 1 // the prose has started
			return false
		}
		cls := strings.ToLower(attr(n, "class") + " " + attr(n, "id"))
		if strings.Contains(cls, "author") || strings.Contains(cls, "byline") || hasWord(n, personWords) || attr(n, "rel") == "author" || attr(n, "itemprop") == "author" {
			return false // a writer's nickname (hCard "fn") is no publisher
		}
		if strings.Contains(cls, "nickname") || strings.Contains(cls, "account-name") || strings.Contains(cls, "account_name") || strings.Contains(cls, "accountname") {
			if t, ok := shortText(n, 30); ok {
				if names := cleanNames([]string{t}); len(names) == 1 && runeLen(names[0]) >= 2 {
					name = names[0]
				}
			}
			return false
		}
		return true
	})
	return name
}

// personWords are class words that mark a person's name (hCard).
var personWords = wordSet(`fn vcard h-card p-name`)

// maxHeaderElements is how many elements after the main heading
// accountName looks at.
const maxHeaderElements = 40

// shortText returns the text under n when it has at most limit runes; ok
// is false for longer text, which it does not build in full.
func shortText(n *html.Node, limit int) (string, bool) {
	size := 0
	over := false
	elements(n, func(c *html.Node) bool {
		if over {
			return false
		}
		for t := c.FirstChild; t != nil; t = t.NextSibling {
			if t.Type == html.TextNode {
				size += len(strings.TrimSpace(t.Data))
			}
		}
		over = size > 4*limit
		return !over
	})
	for t := n.FirstChild; t != nil && !over; t = t.NextSibling {
		if t.Type == html.TextNode {
			size += len(strings.TrimSpace(t.Data))
		}
	}
	if over || size > 4*limit {
		return "", false
	}
	s := textOf(n)
	if runeLen(s) > limit {
		return "", false
	}
	return s, true
}

func crumbSection(crumbs []string, title string) string {
	for i := len(crumbs) - 1; i >= 0; i-- {
		c := collapse(crumbs[i])
		if c == "" || rxHomeWord.MatchString(c) || echoesTitle(c, title) || squeeze(c) == squeeze(title) {
			continue
		}
		return c
	}
	return ""
}

// visibleCrumb reads the section from a breadcrumb trail
// ("当前位置：首页 > 国际 > 正文").
func visibleCrumb(gq *goquery.Document, title string) string {
	var section string
	gq.Find("div, nav, p, span, ol, ul, td").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if collapsedLonger(s.Get(0), 150) {
			return true // as runeLen(collapse(s.Text())) > 150, without the text of a whole page section
		}
		cls := s.AttrOr("class", "") + " " + s.AttrOr("id", "") + " " + s.AttrOr("aria-label", "")
		t := collapse(s.Text())
		if runeLen(t) > 150 || !rxCrumbAttr.MatchString(cls) && !rxCrumbText.MatchString(t) {
			return true
		}
		var crumbs []string
		s.Find("a").Each(func(_ int, a *goquery.Selection) { crumbs = append(crumbs, a.Text()) })
		section = crumbSection(crumbs, title)
		return section == ""
	})
	return section
}

// subtitleSelector is what subtitleClass matches, as a CSS selector.
const subtitleSelector = `[class*="subtitle"], [class*="sub-title"], [class*="subhead"], [class*="standfirst"], [class~="deck"], [class~="dek"]`

// subtitleClass reports whether the element n matches subtitleSelector:
// a class attribute holding one of the substrings, or one of the words
// among its space-separated words. It is the selector without a selector
// engine's pass over the whole page for each of its six parts.
func subtitleClass(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key != "class" {
			continue
		}
		v := a.Val
		if strings.Contains(v, "subtitle") || strings.Contains(v, "sub-title") || strings.Contains(v, "subhead") ||
			strings.Contains(v, "standfirst") || classWord(v, "deck") || classWord(v, "dek") {
			return true
		}
	}
	return false
}

// classWord reports whether w is one of the words of v, split at the white
// space of CSS (space, tab, CR, LF, form feed), as the ~= selector does.
func classWord(v, w string) bool {
	for v != "" {
		i := strings.IndexAny(v, " \t\r\n\f")
		if i < 0 {
			return v == w
		}
		if v[:i] == w {
			return true
		}
		v = v[i+1:]
	}
	return false
}

// allText is goquery's Text: the text of every text node under n.
func allText(n *html.Node) string {
	var b strings.Builder
	var all func(n *html.Node)
	all = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			all(c)
		}
	}
	all(n)
	return b.String()
}

func splitKeywords(in []string) []string {
	var out []string
	for _, v := range in {
		parts := rxKeywordSep.Split(strings.TrimSpace(v), -1)
		if len(parts) == 1 && detectLanguage(v) == "zh" {
			parts = strings.Fields(v) // "关键词一 关键词二"
		}
		for _, p := range parts {
			p = collapse(p)
			if p != "" && runeLen(p) <= 40 && !slices.Contains(out, p) && len(out) < 30 {
				out = append(out, p)
			}
		}
	}
	return out
}

// collapsedLonger reports whether runeLen(collapse(t)) > limit, t being
// the text of every text node under n (goquery's Text), reading no
// further than it must.
func collapsedLonger(n *html.Node, limit int) bool { return longerThan(n, limit, false) }
