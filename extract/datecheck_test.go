package extract

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// TestPublishDateAgreement measures publish-date extraction on the
// benchmark set (NEWSARC_EXTRACTION_BENCH) where the truth has no dates: on
// pages whose JSON-LD or meta tags give a publish date, it compares the date
// found from the visible page alone (text lines near the title, <time>
// tags) and from the URL, and reports how often they agree on the day.
func TestPublishDateAgreement(t *testing.T) {
	dir := os.Getenv("NEWSARC_EXTRACTION_BENCH")
	if dir == "" {
		t.Skip("NEWSARC_EXTRACTION_BENCH is not set")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gt map[string]struct{ URL string }
	if err := json.Unmarshal(raw, &gt); err != nil {
		t.Fatal(err)
	}
	ref := time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC) // about when the set was fetched
	var pages, structured, visible, visibleSame, urlN, urlSame, exact int
	for id, g := range gt {
		zraw, err := os.ReadFile(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(zraw))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		text, _, _ := Decode("", b)
		doc, err := html.Parse(bytes.NewReader(text))
		if err != nil {
			continue
		}
		u, _ := url.Parse(g.URL)
		pages++
		m := readMetadata(doc, u, http.Header{})
		if body := findElement(doc, "body"); body != nil {
			preClean(body, m.h1)
			m.readLines(pageLines(body))
		}
		var meta, vis, fromURL []field
		for _, f := range m.published {
			switch f.src {
			case srcJSONLD, srcOG, srcMeta:
				meta = append(meta, f)
			case srcText, srcTime:
				vis = append(vis, f)
			case srcURL:
				fromURL = append(fromURL, f)
			}
		}
		loc := New(Options{}).location(m.lang.val, u.Hostname())
		want, _ := firstDate(meta, loc, ref)
		if want.IsZero() {
			continue
		}
		structured++
		day := want.In(loc).Format(time.DateOnly)
		if got, _ := firstDate(vis, loc, ref); !got.IsZero() {
			visible++
			if got.In(loc).Format(time.DateOnly) == day {
				visibleSame++
				if got.Equal(want) {
					exact++
				}
			} else {
				t.Logf("%s: visible %s, metadata %s (%s)", id[:12], got.In(loc).Format(time.RFC3339), want.Format(time.RFC3339), g.URL)
			}
		}
		if got, _ := firstDate(fromURL, loc, ref); !got.IsZero() {
			urlN++
			if got.Format(time.DateOnly) == day {
				urlSame++
			}
		}
	}
	t.Logf("pages %d; with a JSON-LD/meta publish date %d; visible-only date found on %d, same day on %d (same instant %d); URL date on %d, same day on %d",
		pages, structured, visible, visibleSame, exact, urlN, urlSame)
}
