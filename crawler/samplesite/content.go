package samplesite

import (
	"bufio"
	"embed"
	"fmt"
	"hash/fnv"
	"html"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

//go:embed site
var siteFS embed.FS

// Reach values for Article.Reach.
const (
	ReachList     = "list"     // front page, category, tag and author pages, feed and sitemap
	ReachRelated  = "related"  // only the 相关推荐 block of other articles
	ReachPrevNext = "prevnext" // only the 上一篇/下一篇 links of other articles
	ReachFeed     = "feed"     // only the RSS feed
)

// siteName is the portal's name as its pages show it.
const siteName = "云帆网"

// category is one section of the portal.
type category struct{ Slug, Name string }

var categories = []category{
	{"guonei", "国内"}, {"guoji", "国际"}, {"caijing", "财经"}, {"keji", "科技"},
	{"shehui", "社会"}, {"wenhua", "文化"}, {"tiyu", "体育"},
}

func categoryBySlug(slug string) (category, bool) {
	for _, c := range categories {
		if c.Slug == slug {
			return c, true
		}
	}
	return category{}, false
}

// publisherName is the account that posts every article; its avatar block sits under each body.
const publisherName = siteName

var authorSlugs = map[string]string{
	publisherName: "yunfanwang",
	"云帆网评论员":      "pinglunyuan",
	"周立衡":         "zhouliheng",
	"林晓禾":         "linxiaohe",
	"许南星":         "xunanxing",
	"陈舒":          "chenshu",
	"赵一鸣":         "zhaoyiming",
	"唐若溪":         "tangruoxi",
	"王博闻":         "wangbowen",
	"何嘉":          "hejia",
	"Grace Liu":   "grace-liu",
	"Daniel Hart": "daniel-hart",
}

// authorSlug returns the /author/<slug>/ part for a name; unknown names get a stable hash.
func authorSlug(name string) string {
	if s, ok := authorSlugs[name]; ok {
		return s
	}
	return fmt.Sprintf("u%08x", hash32(name))
}

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// tagRef is one tag of an article.
type tagRef struct{ Name, Slug string }

// entry is one article with everything the site needs to render it.
type entry struct {
	Article
	id         string
	category   string
	tags       []tagRef
	layout     string // "wp", "portal", "html5" or "en"
	dateStyle  string // "cn" (2025年2月18日 上午5:44) or "iso" (2025-02-18 05:44)
	timeTag    bool   // wrap the visible date in <time datetime>
	metaTags   bool   // OpenGraph and JSON-LD in <head>
	image      string
	editorCode string
	featuredIn []string // ids of articles whose 相关推荐 block lists this one
	modified   time.Time
	paras      []string // plain-text paragraphs as first published
	bodyHTML   string   // paragraphs as HTML, without the figure
	text       string   // plain text of the body, for search and excerpts
	gone       bool     // Remove was called: answer 410
	pinned     bool     // added with Add: sticky on the front page
	order      int      // load order, for stable comment ids
}

func (e *entry) listed() bool { return !e.gone && e.Reach == ReachList }

// excerpt is the start of the body, as list pages and related blocks show it.
func (e *entry) excerpt() string {
	limit := 70
	if e.Lang == "en" {
		limit = 180
	}
	t := strings.TrimSpace(e.text)
	if first, _, ok := strings.Cut(t, "\n"); ok {
		t = first
	}
	if utf8.RuneCountInString(t) <= limit {
		return t
	}
	r := []rune(t)[:limit]
	if e.Lang == "en" {
		if i := strings.LastIndexByte(string(r), ' '); i > 0 {
			return string(r)[:i] + "…"
		}
	}
	return string(r) + "…"
}

// loadEntries parses every embedded article file.
func loadEntries(shanghai *time.Location) ([]*entry, error) {
	files, err := fs.Glob(siteFS, "site/articles/*.txt")
	if err != nil {
		return nil, fmt.Errorf("samplesite: list articles: %w", err)
	}
	var out []*entry
	for i, name := range files {
		data, err := siteFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("samplesite: read %s: %w", name, err)
		}
		e, err := parseEntry(strings.TrimSuffix(path.Base(name), ".txt"), string(data), shanghai)
		if err != nil {
			return nil, fmt.Errorf("samplesite: parse %s: %w", name, err)
		}
		e.order = i
		out = append(out, e)
	}
	return out, nil
}

// parseEntry reads one article file: "key: value" header lines, a blank line, then
// paragraphs separated by blank lines.
func parseEntry(id, data string, shanghai *time.Location) (*entry, error) {
	head, body, ok := strings.Cut(strings.ReplaceAll(data, "\r\n", "\n"), "\n\n")
	if !ok {
		return nil, fmt.Errorf("no blank line after the header")
	}
	h := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(head))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			return nil, fmt.Errorf("header line %q has no colon", sc.Text())
		}
		h[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	e := &entry{id: id}
	e.Path = h["path"]
	e.Title = h["title"]
	e.Lang = orDefault(h["lang"], "zh")
	e.Charset = orDefault(h["charset"], "utf-8")
	e.Reach = orDefault(h["reach"], ReachList)
	e.Term = h["term"]
	e.category = h["category"]
	e.layout = orDefault(h["layout"], "wp")
	e.dateStyle = orDefault(h["date"], "cn")
	e.timeTag = h["timetag"] == "yes"
	e.metaTags = h["meta"] == "yes" || e.layout == "en"
	e.image = h["image"]
	if ed := h["editor"]; ed != "" {
		name, code, _ := strings.Cut(ed, " ")
		e.Editor, e.editorCode = name, code
	}
	e.Authors = splitList(h["authors"])
	e.featuredIn = splitList(h["featuredin"])
	for _, t := range splitList(h["tags"]) {
		name, slug, ok := strings.Cut(t, "=")
		if !ok {
			return nil, fmt.Errorf("tag %q is not name=slug", t)
		}
		e.tags = append(e.tags, tagRef{Name: name, Slug: slug})
	}
	loc := shanghai
	if z := h["zone"]; z == "UTC" {
		loc = time.UTC
	}
	var err error
	if e.Published, err = time.ParseInLocation("2006-01-02 15:04", h["published"], loc); err != nil {
		return nil, fmt.Errorf("published: %w", err)
	}
	e.modified = e.Published
	if m := h["modified"]; m != "" {
		if e.modified, err = time.ParseInLocation("2006-01-02 15:04", m, loc); err != nil {
			return nil, fmt.Errorf("modified: %w", err)
		}
	}
	sep := ""
	if e.Lang == "en" {
		sep = " "
	}
	for _, p := range strings.Split(strings.TrimSpace(body), "\n\n") {
		lines := strings.Split(strings.TrimSpace(p), "\n")
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i])
		}
		e.paras = append(e.paras, strings.Join(lines, sep))
	}
	if len(e.paras) < 2 {
		return nil, fmt.Errorf("want at least 2 paragraphs, have %d", len(e.paras))
	}
	e.BodySnippet = firstSentence(e.paras[1], e.Lang)
	e.setParagraphs(e.paras)
	switch {
	case e.Path == "" || e.Title == "":
		return nil, fmt.Errorf("path and title are required")
	case !slices.Contains([]string{ReachList, ReachRelated, ReachPrevNext, ReachFeed}, e.Reach):
		return nil, fmt.Errorf("unknown reach %q", e.Reach)
	case !slices.Contains([]string{"wp", "portal", "html5", "en"}, e.layout):
		return nil, fmt.Errorf("unknown layout %q", e.layout)
	}
	if _, ok := categoryBySlug(e.category); !ok {
		return nil, fmt.Errorf("unknown category %q", e.category)
	}
	return e, nil
}

// setParagraphs sets the body from plain-text paragraphs.
func (e *entry) setParagraphs(paras []string) {
	indent := ""
	if e.layout == "portal" {
		indent = "\u3000\u3000" // old portals indent with two ideographic spaces
	}
	var b strings.Builder
	for _, p := range paras {
		fmt.Fprintf(&b, "<p>%s%s</p>\n", indent, textEscaper.Replace(p))
	}
	e.bodyHTML = b.String()
	e.text = strings.Join(paras, "\n")
}

// setBodyHTML sets the body from HTML written by a test.
func (e *entry) setBodyHTML(s string) {
	e.bodyHTML = s
	e.text = htmlText(s)
}

// textEscaper escapes paragraph text for HTML, leaving quotes alone as most CMSs do.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

var (
	blockTagRE = regexp.MustCompile(`(?i)</?(?:p|div|br|h[1-6]|li|ul|ol|figure|figcaption|blockquote|table|tr|td)\b[^>]*>`)
	tagRE      = regexp.MustCompile(`<[^>]*>`)
)

// htmlText is a rough tag stripper, enough for excerpts and search: one line per block.
func htmlText(s string) string {
	s = tagRE.ReplaceAllString(blockTagRE.ReplaceAllString(s, "\n"), "")
	var lines []string
	for _, l := range strings.Split(html.UnescapeString(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// firstSentence returns the first full sentence of a paragraph.
func firstSentence(p, lang string) string {
	if lang == "en" {
		if i := strings.Index(p, ". "); i > 0 {
			return p[:i+1]
		}
		return p
	}
	i := strings.IndexAny(p, "。！？")
	if i < 0 {
		return p
	}
	_, size := utf8.DecodeRuneInString(p[i:])
	end := i + size
	if strings.HasPrefix(p[end:], "”") {
		end += len("”")
	}
	return p[:end]
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// views is a stable, plausible view count for a path.
func views(p string) int { return 800 + int(hash32(p)%42000) }

// comment is one reader comment under an article.
type comment struct {
	ID           int
	Author, Text string
	DateText     string
	ReplyHref    string
}

var commentPool = []struct{ Author, Text string }{
	{"江边的风", "写得很透彻,期待后续跟进报道。"},
	{"老街坊", "支持!希望多一些这样有温度的内容。"},
	{"青山在", "文中的数据出处能否再标注清楚一些?"},
	{"小满", "已转发给家里人看看。"},
}

// comments returns the fixed comments of e: between zero and two, with ?replytocom links.
func (e *entry) comments() []comment {
	var out []comment
	for j := 0; j < e.order%3; j++ {
		c := commentPool[(e.order+j)%len(commentPool)]
		id := 3000 + e.order*10 + j
		out = append(out, comment{
			ID:        id,
			Author:    c.Author,
			Text:      c.Text,
			DateText:  formatCN(e.Published.Add(time.Duration(j+3) * time.Hour)),
			ReplyHref: fmt.Sprintf("%s?replytocom=%d#respond", e.Path, id),
		})
	}
	return out
}

// formatCN formats like WordPress in Chinese: 2025年2月18日 上午5:44.
func formatCN(t time.Time) string {
	ampm := "上午"
	if t.Hour() >= 12 {
		ampm = "下午"
	}
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	return fmt.Sprintf("%d年%d月%d日 %s%d:%02d", t.Year(), int(t.Month()), t.Day(), ampm, h, t.Minute())
}

// formatCNDay formats a date without time: 2025年2月18日.
func formatCNDay(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}
