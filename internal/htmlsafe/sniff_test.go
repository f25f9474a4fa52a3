package htmlsafe

import (
	"strings"
	"testing"
)

func TestSniffText(t *testing.T) {
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
			if kind, ok := SniffText([]byte(tc.body)); ok != tc.ok {
				t.Errorf("SniffText = %s, %v; want %v", kind, ok, tc.ok)
			}
		})
	}
}
