package extract

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

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
