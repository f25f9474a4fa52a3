// Package htmlsafe parses HTML that the standard parser refuses.
//
// golang.org/x/net/html gives up on a page whose stack of open elements
// grows past 512 (hundreds of unclosed <div> or <font> tags, which real
// pages and hostile ones both have). Such a page is still worth reading:
// its text and links are there. Repair flattens the nesting beyond a depth
// (the extra start tags and their end tags are dropped, text and void
// elements are kept) so that the parser accepts the page. SniffText tells a
// page of text from binary content served as HTML. It owns nothing else:
// extraction and link discovery decide what to do with the tree.
package htmlsafe

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/net/html"
)

// limits are the depths Repair flattens to, tried in order: a naive count of
// open elements can under-count what the parser keeps open (it ignores some
// end tags that close nothing in scope), so a tighter limit is tried when a
// looser one still fails.
var limits = []int{256, 96, 32, 8}

// naiveLimit is the depth below which a page is taken as parseable without
// parsing it: the naive count over-counts nearly always, and Parse checks.
const naiveLimit = 300

// Parse parses body, repairing its nesting when the parser refuses it. It
// returns the tree, the bytes that were parsed (body itself when no repair
// was needed) and an error only when no repair helps.
func Parse(body []byte) (*html.Node, []byte, error) {
	doc, err := parse(body)
	if err == nil {
		return doc, body, nil
	}
	first := err
	for _, lim := range limits {
		flat := flatten(body, lim)
		if doc, err = parse(flat); err == nil {
			return doc, flat, nil
		}
	}
	return nil, nil, fmt.Errorf("htmlsafe: parse html: %w", first)
}

// Repair returns body when the parser accepts it, else a copy flattened so
// that it does. A page whose nesting is shallow is returned without being
// parsed.
func Repair(body []byte) []byte {
	if maxDepth(body) < naiveLimit {
		if _, err := parse(body); err == nil {
			return body
		}
	}
	_, b, err := Parse(body)
	if err != nil {
		return body
	}
	return b
}

// parse is html.Parse with any panic turned into an error.
func parse(b []byte) (doc *html.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, fmt.Errorf("html parser panic: %v", p)
		}
	}()
	return html.Parse(bytes.NewReader(b))
}

// voids never have children or end tags.
var voids = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "keygen": true, "link": true, "meta": true, "param": true, "source": true,
	"track": true, "wbr": true, "image": true, "basefont": true, "bgsound": true, "frame": true,
}

// reserve is how many levels past the limit the meaningful elements may
// still go, so that a link or a heading inside the deep part survives.
const reserve = 32

// meaningful elements carry the page's links and structure: past the limit
// they are kept (up to reserve levels) where a <div> or <font> is dropped.
var meaningful = map[string]bool{
	"a": true, "p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "ul": true, "ol": true, "time": true, "article": true, "figure": true, "figcaption": true,
	"blockquote": true, "main": true, "body": true, "html": true, "head": true,
}

// rawText elements hold text, not elements: they are kept where they
// stand, so their text never turns into page text.
var rawText = map[string]bool{
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
}

// maxDepth is the deepest naive nesting of body: start tags push, end tags
// pop to the matching element.
func maxDepth(body []byte) int {
	z := html.NewTokenizer(bytes.NewReader(body))
	var stack []string
	deepest := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return deepest
		case html.StartTagToken:
			name, _ := z.TagName()
			if voids[string(name)] {
				continue
			}
			stack = append(stack, string(name))
			deepest = max(deepest, len(stack))
		case html.EndTagToken:
			name, _ := z.TagName()
			stack = popTo(stack, string(name))
		}
	}
}

func popTo(stack []string, name string) []string {
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i] == name {
			return stack[:i]
		}
	}
	return stack
}

// flatten rewrites body with no element nested deeper than limit: a start
// tag that would go deeper is dropped, and so is the end tag that matches
// it. Text, comments, doctype and void elements are copied as they came;
// the raw bytes of every kept token are kept, so the charset is untouched.
func flatten(body []byte, limit int) []byte {
	z := html.NewTokenizer(bytes.NewReader(body))
	var out bytes.Buffer
	out.Grow(len(body))
	var stack []string
	dropped := map[string]int{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.Bytes()
		}
		raw := z.Raw()
		switch tt {
		case html.StartTagToken:
			n, _ := z.TagName()
			name := strings.ToLower(string(n))
			if voids[name] || rawText[name] {
				break
			}
			if len(stack) >= limit+reserve || len(stack) >= limit && !meaningful[name] {
				dropped[name]++
				continue
			}
			stack = append(stack, name)
		case html.EndTagToken:
			n, _ := z.TagName()
			name := strings.ToLower(string(n))
			if dropped[name] > 0 && !in(stack, name) {
				dropped[name]--
				continue
			}
			if in(stack, name) {
				stack = popTo(stack, name)
			} else if dropped[name] > 0 {
				dropped[name]--
				continue
			}
		}
		out.Write(raw)
	}
}

func in(stack []string, name string) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i] == name {
			return true
		}
	}
	return false
}
