package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// findElement returns the first element named tag in document order.
func findElement(n *html.Node, tag string) *html.Node {
	if n.Type == html.ElementNode && n.Data == tag {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, tag); f != nil {
			return f
		}
	}
	return nil
}

// elements calls fn for each element under n in document order; fn returns
// false to skip the element's children.
func elements(n *html.Node, fn func(*html.Node) bool) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling // fn may detach c
		if c.Type == html.ElementNode {
			if fn(c) {
				elements(c, fn)
			}
		}
		c = next
	}
}

// textOf returns the text under n with white space collapsed, leaving out
// scripts and styles.
func textOf(n *html.Node) string { return nodeText(n, false) }

// fieldText returns the text under n like textOf, but with a space
// between two inline elements side by side, so that the fields of a label
// line stay apart: <span>编辑：李明轩</span><span>责任编辑：刘亚楠</span> is
// "编辑：李明轩 责任编辑：刘亚楠".
func fieldText(n *html.Node) string { return nodeText(n, true) }

// nodeText collects the text under n, with a space around block elements
// (and, with everyElement, around every element), white space collapsed,
// scripts and styles left out.
func nodeText(n *html.Node, everyElement bool) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				return
			case atom.Br, atom.P, atom.Div, atom.Li, atom.Td, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				b.WriteByte(' ')
			default:
				if everyElement {
					b.WriteByte(' ')
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && (everyElement || isBlock(n)) {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return collapse(b.String())
}

// hasText reports whether textOf(n) != "", reading n's text only up to
// its first rune that is not white space: textLonger at a limit of 0.
func hasText(n *html.Node) bool { return textLonger(n, 0) }

// textLonger reports whether runeLen(textOf(n)) > limit, reading no
// further into n's text than it must: a check of the text's length costs
// no more than the limit, where textOf costs the whole text, which for
// each of a page's nested containers is the page's again.
func textLonger(n *html.Node, limit int) bool { return longerThan(n, limit, true) }

// longerThan is textLonger when asNodeText (textOf's text: no script or
// style, fields broken at blocks), else collapsedLonger (every text node).
func longerThan(n *html.Node, limit int, asNodeText bool) bool {
	count, inField, invalid := 0, false, false
	var walk func(n *html.Node) bool // true: longer, or invalid UTF-8 met
	walk = func(n *html.Node) bool {
		switch n.Type {
		case html.TextNode:
			if !utf8.ValidString(n.Data) {
				invalid = true // two nodes' invalid bytes could join into one rune
				return true
			}
			for _, r := range n.Data {
				if isSpace(r) {
					inField = false
					continue
				}
				if !inField && count > 0 {
					count++ // the space between two fields
				}
				inField = true
				if count++; count > limit {
					return true
				}
			}
			return false
		case html.ElementNode:
			if !asNodeText {
				break
			}
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				return false
			case atom.Br, atom.P, atom.Div, atom.Li, atom.Td, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				inField = false // nodeText's space before the element
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		if asNodeText && n.Type == html.ElementNode && isBlock(n) {
			inField = false // nodeText's space after a block
		}
		return false
	}
	if !walk(n) {
		return false
	}
	if invalid {
		if asNodeText {
			return runeLen(textOf(n)) > limit
		}
		return runeLen(collapse(allText(n))) > limit
	}
	return true
}

// collapse trims s and collapses runs of white space to one space. It is strings.Join(strings.Fields(s), " "), in one pass, and returns s
// itself when s is already so.
func collapse(s string) string {
	// Find the first byte that is not where it would be in the result.
	i, prevSpace := 0, true
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' && !prevSpace {
				prevSpace = true
				i++
				continue
			}
			if asciiSpace(c) {
				break
			}
			prevSpace = false
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if isSpace(r) {
			break
		}
		prevSpace = false
		i += size
	}
	if i == len(s) {
		if prevSpace && i > 0 {
			return s[:i-1] // one trailing space (or s is " ")
		}
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	if prevSpace && i > 0 {
		i-- // the space before a run of white space: written again below
	}
	b.WriteString(s[:i])
	pending := false // a space to write before the next field
	field := -1      // where the field being read starts, written whole at its end
	for i < len(s) {
		c := s[i]
		size := 1
		space := false
		if c < utf8.RuneSelf {
			space = asciiSpace(c)
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			space = isSpace(r)
		}
		switch {
		case space:
			if field >= 0 {
				b.WriteString(s[field:i])
				field = -1
			}
			pending = b.Len() > 0
		case field < 0:
			if pending {
				b.WriteByte(' ')
				pending = false
			}
			field = i
		}
		i += size
	}
	if field >= 0 {
		b.WriteString(s[field:])
	}
	return b.String()
}

// asciiSpace reports whether c, an ASCII byte, is white space as
// unicode.IsSpace says.
func asciiSpace(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r'
}

// isSpace is unicode.IsSpace without its table search: the white space
// runes (Unicode's White_Space property) listed.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiSpace(byte(r))
	}
	switch r {
	case '\u0085', '\u00a0', '\u1680', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000':
		return true
	}
	return '\u2000' <= r && r <= '\u200a'
}

func isBlock(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Dd, atom.Div, atom.Dl, atom.Dt,
		atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Form, atom.H1, atom.H2, atom.H3,
		atom.H4, atom.H5, atom.H6, atom.Header, atom.Hr, atom.Li, atom.Main, atom.Nav, atom.Ol, atom.P,
		atom.Pre, atom.Section, atom.Table, atom.Tbody, atom.Td, atom.Th, atom.Thead, atom.Tr, atom.Ul,
		atom.Center:
		return true
	}
	return false
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// letterCount counts letters and digits.
func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

func detach(n *html.Node) {
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

// contains reports whether n is d or an ancestor of d.
func contains(n, d *html.Node) bool {
	for ; d != nil; d = d.Parent {
		if d == n {
			return true
		}
	}
	return false
}
