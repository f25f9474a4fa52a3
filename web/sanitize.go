package web

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

var markTag = regexp.MustCompile(`</?mark>`)

// safeFragment rebuilds a highlighted fragment so that it holds escaped
// text and balanced <mark></mark> elements and nothing else, whatever the
// backend sent: every piece of text between marks is unescaped and escaped
// again, so a stray tag becomes visible text.
func safeFragment(s string) string {
	var b strings.Builder
	open := false
	text := func(t string) { b.WriteString(html.EscapeString(html.UnescapeString(t))) }
	last := 0
	for _, loc := range markTag.FindAllStringIndex(s, -1) {
		text(s[last:loc[0]])
		last = loc[1]
		if closing := s[loc[0]+1] == '/'; closing == open {
			if closing {
				b.WriteString("</mark>")
			} else {
				b.WriteString("<mark>")
			}
			open = !open
		}
	}
	text(s[last:])
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// ugc is bluemonday's policy for user-generated content, links opened
// without a referrer or an opener.
var ugc = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// sanitizeHTML returns an article's body HTML with only the elements and
// attributes of bluemonday's UGC policy left: no script, no event handler,
// no javascript: URL.
func sanitizeHTML(s string) string {
	if s == "" {
		return ""
	}
	return ugc.Sanitize(s)
}
