package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"newsarc/crawler/samplesite"
	"newsarc/store"
)

// newsarc runs the program with args and returns its standard output.
func newsarc(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), args, &out, &errb); err != nil {
		t.Fatalf("newsarc %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// TestEndToEnd crawls the fixture site with the real program and checks
// the archive through export and search, as a user would.
func TestEndToEnd(t *testing.T) {
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	data := t.TempDir()

	summary := newsarc(t, "crawl", "--data", data, "--delay", "0", "--quiet", srv.URL+"/")
	if !strings.Contains(summary, "articles") || !strings.Contains(summary, "pages fetched") {
		t.Errorf("crawl summary lacks counts:\n%s", summary)
	}

	// Every article exactly once; nothing else.
	records := exportJSONL(t, data)
	want := map[string]samplesite.Article{}
	for _, a := range site.Articles() {
		want[a.Path] = a
	}
	got := map[string]int{}
	for _, r := range records {
		u, err := url.Parse(r.CanonicalURL)
		if err != nil {
			t.Fatalf("bad canonical_url %q", r.CanonicalURL)
		}
		got[u.Path]++
		if _, ok := want[u.Path]; !ok {
			t.Errorf("archived a page that is not an article: %s (%q)", r.CanonicalURL, r.Title)
		}
	}
	for p, a := range want {
		switch got[p] {
		case 1:
		case 0:
			t.Errorf("article %s (%s, reach %s) not archived", p, a.Title, a.Reach)
		default:
			t.Errorf("article %s archived %d times", p, got[p])
		}
	}
	for _, p := range site.NonArticlePaths() {
		if got[strings.SplitN(p, "?", 2)[0]] > 0 && want[strings.SplitN(p, "?", 2)[0]].Path == "" {
			t.Errorf("non-article page %s archived", p)
		}
	}

	// Clean bodies and the right metadata.
	for _, r := range records {
		u, _ := url.Parse(r.CanonicalURL)
		a, ok := want[u.Path]
		if !ok {
			continue
		}
		for _, junk := range site.Boilerplate() {
			if strings.Contains(r.Text, junk) {
				t.Errorf("%s: body contains boilerplate %q", u.Path, junk)
			}
		}
		if !strings.Contains(r.Text, a.BodySnippet) {
			t.Errorf("%s: body lacks its sentence %q", u.Path, a.BodySnippet)
		}
		if r.Title != a.Title {
			t.Errorf("%s: title = %q, want %q", u.Path, r.Title, a.Title)
		}
		if r.Site == "" || r.FetchedAt.IsZero() || r.ContentHash == "" || r.Language != a.Lang {
			t.Errorf("%s: incomplete record: site %q fetched_at %q content_hash %q language %q (want %s)",
				u.Path, r.Site, r.FetchedAt, r.ContentHash, r.Language, a.Lang)
		}
		if pub := r.PublishedAt.Time; !pub.Equal(a.Published) {
			t.Errorf("%s: published_at = %q, want %s", u.Path, r.PublishedAt, a.Published.Format(time.RFC3339))
		}
	}

	// robots.txt obeyed.
	reqs := site.Requests()
	for _, p := range site.DisallowedPaths() {
		if reqs[p] > 0 {
			t.Errorf("fetched %s, which robots.txt disallows", p)
		}
	}

	// Chinese search finds the right article first.
	for _, a := range site.Articles() {
		if a.Lang != "zh" {
			continue
		}
		out := newsarc(t, "search", "--data", data, "--json", a.Term)
		var res store.Results
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("search --json: %v\n%s", err, out)
		}
		if len(res.Hits) == 0 {
			t.Errorf("search %q found nothing, want %s", a.Term, a.Path)
			continue
		}
		if u, _ := url.Parse(res.Hits[0].Article.CanonicalURL); u.Path != a.Path {
			t.Errorf("search %q: first hit %s, want %s", a.Term, u.Path, a.Path)
		}
		if len(res.Hits[0].Fragments) == 0 || !strings.Contains(strings.Join(res.Hits[0].Fragments, ""), "<mark>") {
			t.Errorf("search %q: no highlighted fragment", a.Term)
		}
	}

	// Every article points at its raw capture; replay gives the page as
	// received, the GBK one in GBK.
	for _, r := range records {
		if r.Capture.File == "" || r.Capture.RecordID == "" {
			t.Errorf("%s: no WARC capture recorded: %+v", r.CanonicalURL, r.Capture)
		}
	}
	for _, a := range site.Articles() {
		raw := newsarc(t, "replay", "--data", data, srv.URL+a.Path)
		if a.Charset == "utf-8" && !strings.Contains(raw, a.Title) {
			t.Errorf("replay %s: the archived page lacks its title", a.Path)
		}
		if a.Charset == "gbk" && (utf8.ValidString(raw) || strings.Contains(raw, a.Title)) {
			t.Errorf("replay %s: want the GBK bytes as received", a.Path)
		}
	}

	// The web UI's capture download comes from the WARC files.
	func() {
		cfg := DefaultConfig()
		cfg.Data = data
		st, err := openStore(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		raw := warcRaw{Store: st, dir: warcDir(cfg)}
		for _, r := range records {
			u, _ := url.Parse(r.CanonicalURL)
			if want[u.Path].Charset != "gbk" {
				continue
			}
			b, err := raw.Raw(context.Background(), r.ID)
			if err != nil || utf8.Valid(b) || !bytes.Contains(b, []byte("charset=gbk")) {
				t.Errorf("capture of the GBK article: err %v, %d bytes; want the GBK page as received", err, len(b))
			}
		}
	}()

	// A second crawl updates, never duplicates.
	newsarc(t, "crawl", "--data", data, "--delay", "0", "--quiet", srv.URL+"/")
	if again := exportJSONL(t, data); len(again) != len(records) {
		t.Errorf("after a recrawl the archive has %d records, want %d", len(again), len(records))
	}

	// CSV export: a header and one row per article.
	csvPath := filepath.Join(t.TempDir(), "out.csv")
	newsarc(t, "export", "--data", data, "--format", "csv", "--bom", "--out", csvPath)
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Errorf("--bom: CSV does not start with a byte-order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if len(rows) != len(records)+1 || strings.Join(rows[0], ",") != strings.Join(csvColumns, ",") {
		t.Errorf("CSV has %d rows (header %v), want %d", len(rows), rows[0], len(records)+1)
	}

	// Parquet export with its manifest.
	pq := filepath.Join(t.TempDir(), "out.parquet")
	newsarc(t, "export", "--data", data, "--format", "parquet", "--query", "主权", "--out", pq)
	mb, err := os.ReadFile(pq + ".manifest.json")
	if err != nil {
		t.Fatalf("no manifest: %v", err)
	}
	var man struct {
		Count  int    `json:"count"`
		SHA256 string `json:"sha256"`
		Query  string `json:"query"`
	}
	if err := json.Unmarshal(mb, &man); err != nil || man.Count != 1 || man.Query != "主权" || len(man.SHA256) != 64 {
		t.Errorf("manifest %s (err %v): want count 1, the query and a sha256", mb, err)
	}
	if b, _ := os.ReadFile(pq); !bytes.HasPrefix(b, []byte("PAR1")) || !bytes.HasSuffix(b, []byte("PAR1")) {
		t.Errorf("parquet export is not a parquet file")
	}
}

func exportJSONL(t *testing.T, data string) []exportRecord {
	t.Helper()
	return exportJSONLArgs(t, "export", "--data", data, "--format", "jsonl")
}

func exportJSONLArgs(t *testing.T, args ...string) []exportRecord {
	t.Helper()
	out := newsarc(t, args...)
	var recs []exportRecord
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var r exportRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("export line does not parse: %v: %s", err, sc.Text())
		}
		recs = append(recs, r)
	}
	return recs
}

func TestDemo(t *testing.T) {
	out := newsarc(t, "demo")
	for _, want := range []string{"pages fetched", "articles", "for \"主权\"", "What to try next"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, cmd := range []string{"crawl", "schedule", "runs", "search", "export", "demo", "extract", "replay", "relink"} {
		t.Run(cmd, func(t *testing.T) {
			out := newsarc(t, cmd, "--help")
			if !strings.Contains(out, "Usage:") || !strings.Contains(out, "newsarc "+cmd) {
				t.Errorf("%s --help:\n%s", cmd, out)
			}
		})
	}
}

func TestBadInvocations(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no seeds", []string{"crawl", "--data", t.TempDir()}, "nothing to crawl"},
		{"bad seed", []string{"crawl", "--data", t.TempDir(), "ftp://x.example/"}, "http or https"},
		{"bad format", []string{"export", "--data", t.TempDir(), "--format", "xml"}, "jsonl, csv or parquet"},
		{"bad date", []string{"search", "--data", t.TempDir(), "--from", "yesterday", "x"}, "--from"},
		{"missing config", []string{"crawl", "--config", "/nonexistent/newsarc.yaml"}, "config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
