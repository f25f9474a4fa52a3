package extract

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestSniffMarkup(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("\x00\x10\x08\x06", 50)
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"html", "<!doctype html><html><body><p>x</p></body></html>", true},
		{"html after blank lines", "\n\n   <html><p>x", true},
		{"text without tags", "就这么一段中文新闻正文，没有任何标签。", true},
		{"gbk bytes", "\xd6\xd0\xb9\xfa\xd0\xc2\xce\xc5 <p>\xd5\xfd\xce\xc4</p>", true},
		{"xml", `<?xml version="1.0"?><rss></rss>`, true},
		{"stray control byte", "<p>text\x01 more text and more text</p>" + strings.Repeat("word ", 40), true},
		{"png", png, false},
		{"gif", "GIF89a" + strings.Repeat("\x00\x01", 40), false},
		{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", false},
		{"gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00" + strings.Repeat("\x00\x03", 40), false},
		{"zip", "PK\x03\x04" + strings.Repeat("\x00\x05", 40), false},
		{"binary noise", strings.Repeat("\x00\x01\x02\x03\x04\x05", 100), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if kind, ok := sniffMarkup([]byte(tc.body)); ok != tc.ok {
				t.Errorf("sniffMarkup = %s, %v; want %v", kind, ok, tc.ok)
			}
		})
	}
}

// A PNG served as text/html is refused, not archived as a 39,000-word
// article; so is it with --force.
func TestExtractRefusesBinaryServedAsHTML(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("abcdefghij\x00\x01 word word word ", 4000)
	h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	for _, force := range []bool{false, true} {
		opts := DefaultOptions()
		opts.Force = force
		_, err := New(opts).Extract(context.Background(), "https://news.example.com/a/1.html", h, []byte(png))
		if !errors.Is(err, ErrNotArticle) || !strings.Contains(err.Error(), "image/png") {
			t.Errorf("force=%v: err = %v, want ErrNotArticle naming image/png", force, err)
		}
	}
}

// The two crashes issue 10 found, at their root.
func TestExtractCrashInputs(t *testing.T) {
	links := ""
	for i := range 8 {
		links += `<a href="/story/` + strings.Repeat("x", i+1) + `.html">A headline for story number ` + strings.Repeat("x", i+1) + `</a>`
	}
	tests := []struct {
		name, ct, body string
	}{
		{"bare links under body", "text/html", "<html><body>" + links + "</body></html>"},
		{"bad content type", "t\xb7\xb7\xb7ext/html; charset=big5", "<html><body><p>" + strings.Repeat("新闻正文。", 200) + "</p></body></html>"},
		{"charset after invalid utf-8", "\xff\xfe\xb7CHARSET=gbk", "<html><body><p>text</p></body></html>"},
		{"deep nesting", "text/html", `<html><head><meta property="og:type" content="article"><meta property="article:published_time" content="2025-02-18T05:44:00+08:00"></head><body>` + strings.Repeat("<div>", 700) + "<h1>The headline of it</h1><p>" + strings.Repeat("A sentence of the story. ", 80) + "</p></body></html>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {tc.ct}}
			a, err := New(DefaultOptions()).Extract(context.Background(), "https://news.example.com/a/1.html", h, []byte(tc.body))
			if err != nil && !errors.Is(err, ErrNotArticle) {
				t.Errorf("Extract: %v", err)
			}
			if strings.HasPrefix(tc.name, "deep") && (err != nil || !strings.Contains(a.Text, "A sentence of the story.")) {
				t.Errorf("a deeply nested article is dropped: %v", err)
			}
		})
	}
}
