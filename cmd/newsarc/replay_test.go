package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsarc/crawler"
	"newsarc/crawler/samplesite"
	"newsarc/store/warc"
)

func TestParseAt(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-12-02", time.Date(2026, 12, 2, 23, 59, 59, 999999999, sh)},
		{"2026-12-02 06:10", time.Date(2026, 12, 2, 6, 10, 59, 999999999, sh)},
		{"2026-12-02T06:10", time.Date(2026, 12, 2, 6, 10, 59, 999999999, sh)},
		{"2026-12-02 06:10:30", time.Date(2026, 12, 2, 6, 10, 30, 999999999, sh)},
		{"2026-12-02T06:10:00Z", time.Date(2026, 12, 2, 6, 10, 0, 0, time.UTC)},
		{"2026-12-02T06:10:00+09:00", time.Date(2026, 12, 1, 21, 10, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseAt(tt.in, sh)
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("parseAt(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"yesterday", "2026-13-02", "02/12/2026 06:10"} {
		if _, err := parseAt(bad, sh); err == nil {
			t.Errorf("parseAt(%q): no error", bad)
		}
	}
}

func TestSiteZone(t *testing.T) {
	sites := []crawler.Site{
		{Name: "a", Seeds: []string{"https://www.news.example.cn/"}, TimeZone: "Asia/Shanghai"},
		{Name: "b", Seeds: []string{"https://b.example/"}, Hosts: []string{"m.b.example"}, TimeZone: "Asia/Tokyo"},
	}
	for url, want := range map[string]string{
		"https://news.example.cn/2026/a": "Asia/Shanghai",
		"http://m.b.example/x":           "Asia/Tokyo",
		"https://elsewhere.example/x":    time.Local.String(),
	} {
		if got := siteZone(sites, url).String(); got != want {
			t.Errorf("siteZone(%s) = %s, want %s", url, got, want)
		}
	}
}

func TestReplayURL(t *testing.T) {
	entries := []warc.Entry{
		{URL: "https://news.example.cn/2026/12/01/a/", Date: time.Unix(100, 0)},
		{URL: "https://news.example.cn/2026/12/01/b", Date: time.Unix(100, 0)},
		{URL: "https://news.example.cn/list?b=2&a=1", Date: time.Unix(100, 0)},
		{URL: "https://news.example.cn/%E6%96%B0%E9%97%BB/", Date: time.Unix(100, 0)},
	}
	tests := []struct{ in, want string }{
		{"https://news.example.cn/2026/12/01/a/", "https://news.example.cn/2026/12/01/a/"},
		{"https://news.example.cn/2026/12/01/a", "https://news.example.cn/2026/12/01/a/"},
		{"https://News.Example.cn/2026/12/01/a/?utm_source=wx&from=timeline#top", "https://news.example.cn/2026/12/01/a/"},
		{"https://news.example.cn/2026/12/01/b/", "https://news.example.cn/2026/12/01/b"},
		{"https://news.example.cn/list?a=1&b=2&fbclid=x", "https://news.example.cn/list?b=2&a=1"},
		{"https://news.example.cn/新闻", "https://news.example.cn/%E6%96%B0%E9%97%BB/"},
		{"https://news.example.cn/2026/12/01/c", ""},
	}
	for _, tt := range tests {
		got, ok := replayURL(entries, tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("replayURL(%s) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// TestReplay replays from real WARC files: a first version, a 304, a
// changed version and an unchanged recrawl of it, found with a tracking
// parameter and without the final slash, at times given in the site's
// zone.
func TestReplay(t *testing.T) {
	if _, err := time.LoadLocation("Asia/Shanghai"); err != nil {
		t.Skip(err)
	}
	data := t.TempDir()
	cfgPath := filepath.Join(data, "newsarc.yaml")
	cfgYAML := "data: " + data + "\nsites:\n  - name: ex\n    seeds: [\"https://news.example.cn/\"]\n    timezone: Asia/Shanghai\n"
	if err := os.WriteFile(cfgPath, []byte(cfgYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := warc.NewWriter(warc.Config{Dir: filepath.Join(data, "warc")})
	if err != nil {
		t.Fatal(err)
	}
	url := "https://news.example.cn/2026/12/01/a/"
	write := func(at time.Time, status int, body string, kv ...string) {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		ex := &warc.Exchange{URL: url, StatusCode: status, ResponseHeader: h, Body: []byte(body), Date: at,
			RequestHeader: http.Header{"User-Agent": {"newsarc-test"}}}
		if _, err := w.Write(context.Background(), ex); err != nil {
			t.Fatal(err)
		}
	}
	utc := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, time.UTC) }
	write(utc(1, 22, 0), 200, "<p>first</p>", "Content-Type", "text/html", "ETag", `"1"`) // 06:00 in Shanghai
	write(utc(1, 22, 20), 304, "", "ETag", `"1"`)                                         // 06:20
	write(utc(2, 2, 0), 200, "<p>changed</p>", "Content-Type", "text/html")               // 10:00
	write(utc(3, 2, 0), 200, "<p>changed</p>", "Content-Type", "text/html")               // the next day, unchanged
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	asked := "https://news.example.cn/2026/12/01/a?utm_source=wechat"
	tests := []struct{ at, want string }{
		{"", "<p>changed</p>"},
		{"2026-12-02 06:10", "<p>first</p>"},
		{"2026-12-02 06:30", "<p>first</p>"}, // the 304 replays what it confirmed
		{"2026-12-02 10:00", "<p>changed</p>"},
		{"2026-12-02", "<p>changed</p>"},
		{"2026-12-01T23:00:00Z", "<p>first</p>"},
		{"2026-12-04", "<p>changed</p>"}, // the unchanged recrawl
	}
	for _, tt := range tests {
		args := []string{"--config", cfgPath, "replay", asked}
		if tt.at != "" {
			args = append(args, "--at", tt.at)
		}
		if got := newsarc(t, args...); got != tt.want {
			t.Errorf("replay --at %q: %q, want %q", tt.at, got, tt.want)
		}
	}
	var out, errb bytes.Buffer
	err = run(context.Background(), []string{"--config", cfgPath, "replay", "--at", "2026-12-02 05:59", asked}, &out, &errb)
	if !errors.Is(err, warc.ErrNotFound) {
		t.Errorf("replay before the first capture: %v, want ErrNotFound", err)
	}
	list := newsarc(t, "--config", cfgPath, "replay", "--list", asked)
	if n := strings.Count(list, "\n"); n != 4 || strings.Count(list, "revisit of") != 2 {
		t.Errorf("replay --list: want 4 captures, 2 of them revisits:\n%s", list)
	}
	if h := newsarc(t, "--config", cfgPath, "replay", "--headers", "--at", "2026-12-02 06:30", asked); !strings.HasPrefix(h, "HTTP/1.1 200 OK\n") {
		t.Errorf("replay --headers of a 304: want the 200 it confirmed:\n%s", h)
	}
}

// TestRecrawlRevisits crawls the fixture site twice: the second crawl's
// unchanged pages are revisit records, the CDXJ index lists every capture,
// and each revisit replays the body it repeats.
func TestRecrawlRevisits(t *testing.T) {
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	data := t.TempDir()
	newsarc(t, "crawl", "--data", data, "--delay", "0", "--quiet", srv.URL+"/")
	newsarc(t, "crawl", "--data", data, "--delay", "0", "--quiet", srv.URL+"/")

	dir := filepath.Join(data, "warc")
	entries, err := warc.Index(dir)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := warc.LoadIndex(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(entries) {
		t.Errorf("index.cdxj has %d lines for %d captures", len(lines), len(entries))
	}
	revisits := 0
	for _, e := range entries {
		if e.RefersTo == "" {
			continue
		}
		revisits++
		ref, err := warc.Lookup(entries, e.URL, e.Date)
		if err != nil {
			t.Errorf("revisit of %s: %v", e.URL, err)
			continue
		}
		orig, err1 := warc.Read(dir, ref.Capture)
		rev, err2 := warc.Read(dir, e.Capture)
		if err1 != nil || err2 != nil || len(orig.Body) == 0 || !bytes.Equal(orig.Body, rev.Body) {
			t.Errorf("revisit of %s does not replay its original: %v %v", e.URL, err1, err2)
		}
	}
	if revisits == 0 {
		t.Errorf("the second crawl wrote no revisit record (%d captures)", len(entries))
	}
	t.Logf("%d captures, %d revisits", len(entries), revisits)

	// warcio accepts the files (CI sets NEWSARC_REQUIRE_WARCIO=1).
	script, _ := filepath.Abs("../../scripts/warcio")
	if out, err := exec.Command(script, "--version").CombinedOutput(); err != nil {
		if os.Getenv("NEWSARC_REQUIRE_WARCIO") == "1" {
			t.Fatalf("NEWSARC_REQUIRE_WARCIO=1 but warcio is unavailable: %v\n%s", err, out)
		}
		t.Skipf("warcio is unavailable: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	out, err := exec.Command(script, append([]string{"check", "-v"}, files...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "revisit") {
		t.Errorf("warcio check: %v\n%s", err, out)
	}
}
