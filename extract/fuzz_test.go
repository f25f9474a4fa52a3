package extract

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets cover what parses input in extraction: dates, charsets
// and the whole extractor. Their seeds are the inputs that once crashed it,
// the golden pages, and, when NEWSARC_PAGETYPES names the page-types set,
// a sample of its real pages (kept out of the repository: they are their
// publishers' copyright). CI runs each for a short fixed time.

var crashSeeds = []struct{ ct, body string }{
	{"text/html", "<html><body>" + strings.Repeat(`<a href="/s/x.html">A headline for a story here</a>`, 8) + "</body></html>"},
	{"t\xb7\xb7\xb7ext/html; charset=big5", "<html><body><p>新闻</p></body></html>"},
	{"text/html", strings.Repeat("<div>", 600) + "<p>deep</p>"},
	{"text/html", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("\x00\x01", 100)},
}

func goldenPages(f *testing.F) [][]byte {
	f.Helper()
	var pages [][]byte
	dirs, _ := filepath.Glob("testdata/*/source.html")
	for _, p := range dirs {
		if b, err := os.ReadFile(p); err == nil {
			pages = append(pages, b)
		}
	}
	if dir := os.Getenv("NEWSARC_PAGETYPES"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "pages", "*.html.gz"))
		for i, p := range files {
			if i%40 != 0 {
				continue
			}
			if b, err := readGz(p); err == nil {
				pages = append(pages, b)
			}
		}
	}
	return pages
}

func readGz(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func FuzzExtract(f *testing.F) {
	for _, s := range crashSeeds {
		f.Add(s.ct, []byte(s.body))
	}
	for _, p := range goldenPages(f) {
		f.Add("text/html", p)
	}
	ex := New(DefaultOptions())
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		h := http.Header{"Content-Type": {ct}}
		a, err := ex.Extract(context.Background(), "https://news.example.com/2025/02/18/story.html", h, body)
		if err != nil {
			if errors.Is(err, ErrNotArticle) || strings.HasPrefix(err.Error(), "extract:") {
				return
			}
			t.Fatalf("unexpected error %v", err)
		}
		if !utf8.ValidString(a.Text) || !utf8.ValidString(a.Title) {
			t.Fatal("article text is not valid UTF-8")
		}
		if _, err := json.Marshal(a); err != nil {
			t.Fatalf("article does not encode: %v", err)
		}
		_ = NextPage("https://news.example.com/2025/02/18/story.html", h, body)
		_, _ = Evidence("https://news.example.com/", h, body)
	})
}

func FuzzDecode(f *testing.F) {
	for _, s := range crashSeeds {
		f.Add(s.ct, []byte(s.body))
	}
	f.Add("text/html; charset=gbk", []byte("\xd6\xd0\xb9\xfa"))
	f.Add("text/html", []byte("\xfe\xff\x00a\x00b"))
	f.Add("text/html;charset=\"utf-16le\"", []byte("\xff\xfea\x00"))
	f.Add("", []byte(`<meta charset="big5"><p>\xa4\xa4</p>`))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		out, name, err := Decode(ct, body)
		if err != nil {
			return
		}
		if name == "" {
			t.Fatal("no charset named")
		}
		if !utf8.Valid(out) {
			t.Fatalf("Decode(%q) as %s gave invalid UTF-8", ct, name)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2025年2月18日 上午5:44", "2025-02-18T05:44:00+08:00", "18. Februar 2025, 05:44 Uhr",
		"Tue, 18 Feb 2025 05:44:00 GMT", "3小时前", "5 minutes ago", "18 de fevereiro de 2025",
		"2025/2/18 下午 12:01", "Updated: Feb. 18, 2025 5:44 p.m. ET", "99999年99月99日", "",
	} {
		f.Add(s)
	}
	ref := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	loc := time.FixedZone("CST", 8*3600)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDate(s, loc, ref)
		if !ok {
			return
		}
		if d.IsZero() {
			t.Fatalf("ParseDate(%q) ok with a zero time", s)
		}
		if b, err := d.MarshalJSON(); err != nil || !bytes.HasPrefix(b, []byte(`"`)) {
			t.Fatalf("ParseDate(%q) = %v, which does not encode: %v", s, d, err)
		}
	})
}
