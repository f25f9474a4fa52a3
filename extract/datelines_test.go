package extract

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestProseWithDate(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"Soldiers near the front line in Bachmut, 24 April 2023", true},
		{"自2月19日（周三）首班车起，地铁将延长运营时间至深夜。", true},
		{"By Jane Doe and John Roe November 18, 2019", false},
		{"Jane Doe | November 18, 2019", false},
		{"Veröffentlicht am 18. Februar 2025, 05:44 Uhr", false},
		{"18 de fevereiro de 2025", false},
	}
	for _, tt := range tests {
		if got := proseWithDate(tt.line); got != tt.want {
			t.Errorf("proseWithDate(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

// TestLabelledDateBeyondHeader finds a "Date" field in a box after the
// body, and leaves a teaser's date inside a link alone.
func TestLabelledDateBeyondHeader(t *testing.T) {
	page := `<html><body><h1>A headline of some length</h1>
<p>Soldiers near the front line, 24 April 2023</p>
<p>` + strings.Repeat("Body text of the story. ", 40) + `</p>
<ul><li><strong>Date</strong> 28.04.2023</li><li><strong>Author</strong> Jane Doe</li></ul>
<a href="/other"><h2>Another story <span class="date">26.04.2023</span></h2></a>
</body></html>`
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://news.example/a-1")
	m := readMetadata(doc, u, http.Header{})
	m.readLines(pageLines(findElement(doc, "body")))
	ref := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	got, _ := firstDate(m.published, time.UTC, ref, ref)
	if want := time.Date(2023, 4, 28, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("published %v, want %v", got, want)
	}
}
