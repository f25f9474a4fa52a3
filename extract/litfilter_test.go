package extract

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

func TestRequiredLits(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string // nil: no prefilter
	}{
		{`(?i)cookie`, []string{"COOKIE"}},
		{`(?i)使用\s*cookie|ICP备`, []string{"使用", "ICP备"}}, // ties: the first
		{`(?i)版权所有.{0,40}(?:备案|ICP)`, []string{"版权所有"}},
		{`(?i)\S+-inhalte (?:erlauben|anzeigen)`, []string{"-INHALTE "}},
		{`(?i)a|b*`, nil},
		{`^\s*$`, nil},
		{`(?i)(?:ab)+c?`, []string{"AB"}},
		{`(?i)x{2,3}`, []string{"X"}},
		{`(?i)Kelvin`, []string{"KELVIN"}},
		{`(?:新华社|发|摄)\s*$`, []string{"新华社", "发", "摄"}},
		{`[为片示]x`, []string{"为", "片", "示"}},
		{`(?i)[k]`, []string{"K", "K", "K"}},
		{`[a-z]`, nil},
		{`[^a]`, nil},
	} {
		l := mustLitRegexp(tc.expr)
		if got := string(bytes.Join(l.lits, []byte("|"))); got != strings.Join(tc.want, "|") {
			t.Errorf("%s: literals %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestLitRegexpMatchesAsRegexp checks that the prefilter never changes a
// result: every expression of the package that uses one, on the text of
// every element of the test pages, on the benchmark sets' pages when
// their variables are set, and on the phrases themselves with their case
// changed and noise around them.
func TestLitRegexpMatchesAsRegexp(t *testing.T) {
	exprs := []*litRegexp{rxBoilerPhrase, rxCrumbAttr, rxNoticeLine, rxCaptionLine, rxTrailingCredit, rxFurnitureLine,
		rxPromptLine, rxReadingTime, rxEditor, rxEditorEN, rxSourceLabel, rxPublisher, rxOrigTitle, rxDateLabel, rxInlineEditorial, rxCaptionZH}
	var texts []string
	addPage := func(b []byte) {
		doc, err := html.Parse(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		subtitles := map[*html.Node]bool{} // readMetadata's selector, as goquery finds it
		for _, n := range goquery.NewDocumentFromNode(doc).Find(subtitleSelector).Nodes {
			subtitles[n] = true
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				if t := textOf(n); len(t) <= 4000 {
					texts = append(texts, t)
					if f := foldZH(t); f != t {
						texts = append(texts, f)
					}
				}
				for _, a := range n.Attr {
					texts = append(texts, a.Val)
				}
				// visibleCrumb's length check, against the text it stands for.
				if got, want := collapsedLonger(n, 150), runeLen(collapse(allText(n))) > 150; got != want {
					t.Errorf("collapsedLonger of <%s>: %v, want %v", n.Data, got, want)
				}
				if s := allText(n); collapse(s) != strings.Join(strings.Fields(s), " ") {
					t.Errorf("collapse of the text of <%s> differs from strings.Fields'", n.Data)
				}
				if got, want := hasText(n), textOf(n) != ""; got != want {
					t.Errorf("hasText of <%s>: %v, want %v", n.Data, got, want)
				}
				if got, want := subtitleClass(n), subtitles[n]; got != want {
					t.Errorf("subtitleClass of <%s %v>: %v, want %v", n.Data, n.Attr, got, want)
				}
				// labelledTags' length check, against textOf.
				if got, want := textLonger(n, 120), runeLen(textOf(n)) > 120; got != want {
					t.Errorf("textLonger of <%s>: %v, want %v", n.Data, got, want)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
	var files []string
	for _, pat := range []string{"testdata/*/*.html"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	for _, env := range []string{"NEWSARC_EXTRACTION_BENCH", "NEWSARC_PAGETYPES", "NEWSARC_NEWSMETA"} {
		if dir := os.Getenv(env); dir != "" {
			for _, pat := range []string{"*.html.gz", "*/*.html.gz", "*/*/*.html.gz"} {
				m, _ := filepath.Glob(filepath.Join(dir, pat))
				files = append(files, m...)
			}
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil && strings.HasSuffix(f, ".gz") {
			var zr *gzip.Reader
			if zr, err = gzip.NewReader(bytes.NewReader(b)); err == nil {
				b, err = io.ReadAll(zr)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		addPage(b)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, phrases := range boilerPhrases {
		for _, p := range strings.Split(phrases, "|") {
			p = strings.NewReplacer(`(?:`, "", `)`, "", `\s*`, " ", `?`, "", `.{0,40}`, " x ", `\\S+`, "Video").Replace(p)
			rs := []rune(p)
			for i := range rs {
				if r.IntN(2) == 0 {
					rs[i] = []rune(strings.ToUpper(string(rs[i])))[0]
				}
			}
			texts = append(texts, p, string(rs), "Vorher "+string(rs)+" nachher", strings.ReplaceAll(p, "k", "\u212a"), p[:len(p)/2])
		}
	}
	// A nested element's text is its parent's too: each text once.
	slices.Sort(texts)
	texts = slices.Compact(texts)
	if len(texts) < 1000 {
		t.Fatalf("only %d texts", len(texts))
	}
	for _, s := range texts {
		if got, want := SimHash(s), simHashRef(s); got != want {
			t.Errorf("SimHash(%q) = %016x, reference %016x", s, got, want)
		}
		if got, want := leadingDate(s), leadingDateRef(s); got != want {
			t.Errorf("leadingDate(%q) = %q, reference %q", s, got, want)
		}
		if got, want := latinLanguage(s), latinLanguageRef(s); got != want {
			t.Errorf("latinLanguage(%.80q) = %s, reference %s", s, got, want)
		}
	}
	matched := 0
	for _, l := range exprs {
		before := matched
		for _, s := range texts {
			got, want := l.MatchString(s), l.Regexp.MatchString(s)
			if got != want {
				t.Errorf("%s on %q: %v with the prefilter, %v without", l, s, got, want)
			}
			if want {
				matched++
			}
		}
		t.Logf("%d matches of %.40s", matched-before, l)
	}
	t.Logf("%d texts, %d matches", len(texts), matched)
	if matched == 0 {
		t.Error("no text matched: the comparison proves nothing")
	}
}

// TestCollapsedLonger checks collapsedLonger against the text it stands
// for, at every limit around the true length.
func TestCollapsedLonger(t *testing.T) {
	for _, src := range []string{
		"<div>  a  <b>bc</b>d  <i> </i> e\u00a0f\t</div>",
		"<div><p>经济</p><p> 改革 </p>x</div>",
		"<div></div>",
		"<div> \n </div>",
		"<div>a<script>var x = 1;</script>b</div>",
		"<div>\xe4<b>\xb8\xad</b> z</div>",
		"<div>ab\xffcd <span>e</span></div>",
	} {
		doc, err := html.Parse(strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		div := findElement(doc, "div")
		n := runeLen(collapse(allText(div)))
		for limit := max(n-3, 0); limit <= n+3; limit++ {
			if got := collapsedLonger(div, limit); got != (n > limit) {
				t.Errorf("%q, limit %d: %v, want %v (length %d)", src, limit, got, n > limit, n)
			}
		}
	}
}

// TestTextLonger checks textLonger against textOf, at every limit around
// the true length.
func TestTextLonger(t *testing.T) {
	for _, src := range []string{
		"<div>  a  <b>bc</b>d  <i> </i> e\u00a0f\t</div>",
		"<div><p>经济</p><p> 改革 </p>x</div>",
		"<div>a<br>b<span>c</span><li>d</li>e<section>f</section>g</div>",
		"<div>a<h2>b</h2>c<td>d</td>e<em>f</em></div>",
		"<div></div>",
		"<div> \n </div>",
		"<div>a<script>var x = 1;</script>b<style>p{}</style>c<noscript>d</noscript>e<template>f</template></div>",
		"<div>\xe4<b>\xb8\xad</b> z</div>",
		"<div>ab\xffcd <span>e</span></div>",
		"<div>a<!-- comment -->b</div>",
	} {
		doc, err := html.Parse(strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		div := findElement(doc, "div")
		n := runeLen(textOf(div))
		for limit := max(n-3, 0); limit <= n+3; limit++ {
			if got := textLonger(div, limit); got != (n > limit) {
				t.Errorf("%q, limit %d: %v, want %v (length %d)", src, limit, got, n > limit, n)
			}
		}
	}
}

// TestHasText checks hasText against textOf.
func TestHasText(t *testing.T) {
	for _, src := range []string{
		"<div></div>", "<div> \n\u00a0</div>", "<div><b> </b><i>\u3000</i></div>", "<div><b> </b>x</div>",
		"<div><script>x</script><style>y</style> <noscript>z</noscript><template>w</template></div>",
		"<div>\xe3<b>\x80\x80</b></div>", "<div>\xe3<b>\x80</b></div>", "<div>\xff</div>", "<div><!-- x --></div>",
	} {
		doc, err := html.Parse(strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		div := findElement(doc, "div")
		if got, want := hasText(div), textOf(div) != ""; got != want {
			t.Errorf("%q: %v, want %v", src, got, want)
		}
	}
}

// TestSubtitleClass checks subtitleClass against goquery's selector.
func TestSubtitleClass(t *testing.T) {
	src := `<div class="subtitle">a</div><p class="x sub-titles">b</p><p class="Subtitle">c</p><p class="deck">d</p>
<p class="deck-x">e</p><p class="x	deck">f</p><p class="x dek y">g</p><p class="dekko">h</p><p class="subhead-1">i</p>
<p class="standfirst">j</p><p id="subtitle">k</p><p class="">l</p><p class=" dek">m</p><p class="x&#12;deck">n</p>
<p class="x&#11;deck">o</p><svg><g class="deck"></g></svg><p class="a" class="deck">p</p>`
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := map[*html.Node]bool{}
	for _, n := range goquery.NewDocumentFromNode(doc).Find(subtitleSelector).Nodes {
		want[n] = true
	}
	if len(want) < 8 {
		t.Fatalf("goquery found %d", len(want))
	}
	elements(doc, func(n *html.Node) bool {
		if got := subtitleClass(n); got != want[n] {
			t.Errorf("<%s %v>: %v, want %v", n.Data, n.Attr, got, want[n])
		}
		return true
	})
}

// TestFoldRune checks foldRune's shortcut against the orbit on every rune.
func TestFoldRune(t *testing.T) {
	if len(caselessRuns) == 0 {
		t.Fatal("no caseless runs")
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := foldRune(r), foldOrbit(r); got != want {
			t.Fatalf("foldRune(%U) = %U, want %U", r, got, want)
		}
	}
	t.Logf("caseless runs %x", caselessRuns)
}

// leadingDateRef is leadingDate as first written, to check the version
// that neither converts the whole line to runes nor runs the clock
// expression on heads without a colon.
func leadingDateRef(l string) string {
	r := []rune(l)
	head := string(r[:min(len(r), 60)])
	if loc := rxClockAny.FindStringIndex(head); loc != nil && isDateLine(head[:loc[0]]) {
		return head
	}
	return ""
}

// TestPairScanAsContains compares the prefilter's scan by pairs of bytes
// with a search of the text for each literal, on every literal, its
// halves, and random texts of literal pieces, folded and not, for every
// expression that scans by pairs.
func TestPairScanAsContains(t *testing.T) {
	exprs := []*litRegexp{rxBoilerPhrase, rxCrumbAttr, rxNoticeLine, rxCaptionLine, rxTrailingCredit, rxFurnitureLine,
		rxPromptLine, rxReadingTime, rxEditor, rxEditorEN, rxSourceLabel, rxPublisher, rxOrigTitle, rxDateLabel, rxInlineEditorial, rxCaptionZH}
	r := rand.New(rand.NewPCG(5, 6))
	scanned := 0
	for _, l := range exprs {
		if l.pairs == nil {
			continue
		}
		scanned++
		var pieces, texts []string
		for _, lit := range l.lits {
			s := string(lit)
			pieces = append(pieces, s, s[:len(s)/2], s[len(s)/2:], strings.ToLower(s))
			texts = append(texts, s, s[1:], s[:len(s)-1], "x"+s, s+"y")
		}
		pieces = append(pieces, " ", "a", "经", "\xff", "é")
		for range 20000 {
			var b strings.Builder
			for range r.IntN(6) {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
			texts = append(texts, b.String())
		}
		matched := 0
		for _, s := range texts {
			want := false
			f := appendFold(nil, s)
			for _, lit := range l.lits {
				if bytes.Contains(f, lit) {
					want = true
					break
				}
			}
			if got := l.mayMatch(s); got != want {
				t.Errorf("%.40s: mayMatch(%q) = %v, a search for each literal %v", l, s, got, want)
			}
			if want {
				matched++
			}
		}
		t.Logf("%.40s: %d literals, %d of %d texts hold one", l, len(l.lits), matched, len(texts))
	}
	if scanned == 0 {
		t.Error("no expression scans by pairs")
	}
}
