package htmlsafe

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.Data == "script" {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func links(n *html.Node) []string {
	var out []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					out = append(out, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func TestParse(t *testing.T) {
	deep := "<html><body>" + strings.Repeat("<div>", 600) + `<p>the story <a href="/a/1.html">read</a></p>` + strings.Repeat("<font>", 700) + "tail" + "</body></html>"
	tests := []struct {
		name     string
		in       string
		repaired bool
		text     []string
		links    int
	}{
		{"plain", `<html><body><p>hello <a href="/x">x</a></p></body></html>`, false, []string{"hello"}, 1},
		{"600 unclosed divs", deep, true, []string{"the story", "read", "tail"}, 1},
		{"deep with script", strings.Repeat("<span>", 1000) + "<script>var x = '<div>';</script>body text", true, []string{"body text"}, 0},
		{"closed deep", strings.Repeat("<div>", 700) + "inner" + strings.Repeat("</div>", 700) + "<p>after</p>", true, []string{"inner", "after"}, 0},
		{"table nesting", strings.Repeat("<table><tr><td>", 300) + "cell", true, []string{"cell"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := html.Parse(strings.NewReader(tc.in)); (err != nil) != tc.repaired {
				t.Fatalf("x/net/html refuses it: %v, want %v", err != nil, tc.repaired)
			}
			doc, parsed, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := !bytes.Equal(parsed, []byte(tc.in)); got != tc.repaired {
				t.Errorf("repaired = %v, want %v", got, tc.repaired)
			}
			txt := text(doc)
			for _, w := range tc.text {
				if !strings.Contains(txt, w) {
					t.Errorf("text lacks %q", w)
				}
			}
			if strings.Contains(txt, "var x") {
				t.Errorf("script text leaked into page text")
			}
			if n := len(links(doc)); n != tc.links {
				t.Errorf("links = %d, want %d", n, tc.links)
			}
			if r := Repair([]byte(tc.in)); !bytes.Equal(r, parsed) {
				t.Errorf("Repair differs from Parse's bytes")
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(strings.Repeat("<div>", 600) + "x"))
	f.Add([]byte(strings.Repeat("<table><tr><td>", 200) + "x"))
	f.Add([]byte(`<html><body><a href="/x">x</a></body></html>`))
	f.Add([]byte(strings.Repeat("<b><i>", 300) + strings.Repeat("</div>", 30)))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, parsed, err := Parse(b)
		if err == nil && (doc == nil || parsed == nil) {
			t.Fatal("nil tree without error")
		}
		_ = Repair(b)
	})
}
