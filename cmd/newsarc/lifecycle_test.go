package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/parquet-go/parquet-go"

	"newsarc/crawler/samplesite"
	"newsarc/internal/browsertest"
	"newsarc/store"
	"newsarc/store/warc"
	"newsarc/web"
)

// TestArchiveLifecycle is the life of an archive as a researcher cites it:
// a crawl, a one-word correction on the site, a recrawl, a deletion and a
// third crawl. The WARC files then hold revisit records warcio accepts and
// a CDXJ index of every capture; replay gives the first and the corrected
// version; the diff shows one word; removed_at is in JSONL, CSV and Parquet
// with identical columns; and --removed finds the deleted article in the
// CLI, the HTTP API and the web UI.
func TestArchiveLifecycle(t *testing.T) {
	bin := ownerBin(t)
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	data := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "newsarc.yaml")
	cfgYAML := fmt.Sprintf(`data: %s
crawler:
  delay: 0s
  revisit: [1ns]   # every archived article is due again on the next crawl
sites:
  - name: sample
    seeds: [%s/]
    timezone: Asia/Shanghai
`, data, srv.URL)
	if err := os.WriteFile(cfgPath, []byte(cfgYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	crawl := func() {
		t.Helper()
		newsarc(t, "--config", cfgPath, "crawl", "--quiet")
		// Captures of the next crawl fall on a later second than any of
		// this one, so that --at between them is unambiguous.
		time.Sleep(1100 * time.Millisecond)
	}

	// The edited and the deleted article: two Chinese articles the lists link.
	var edited, gone samplesite.Article
	for _, a := range site.Articles() {
		if a.Reach == samplesite.ReachList && a.Lang == "zh" && a.Charset == "utf-8" {
			if edited.Path == "" {
				edited = a
			} else if gone.Path == "" {
				gone = a
			}
		}
	}
	if gone.Path == "" {
		t.Fatal("the sample site has no two list-linked Chinese articles")
	}
	// One word of the body: two Chinese characters of its first sentence.
	var oldWord string
	for _, w := range slices.Collect(chunks([]rune(edited.BodySnippet), 2)) {
		if unicode.Is(unicode.Han, w[0]) && unicode.Is(unicode.Han, w[1]) && string(w) != "更正" {
			oldWord = string(w)
			break
		}
	}
	const newWord = "更正"
	editedURL, goneURL := srv.URL+edited.Path, srv.URL+gone.Path
	editedID, goneID := store.IDFor(editedURL), store.IDFor(goneURL)

	crawl()
	// A second that begins after the first crawl ended (crawl slept 1.1 s
	// since) and before the second one starts: --at takes whole seconds.
	betweenCrawls := time.Now().UTC().Add(-50 * time.Millisecond).Truncate(time.Second)
	if !site.EditWord(edited.Path, oldWord, newWord) {
		t.Fatalf("%q is not in the body of %s", oldWord, edited.Path)
	}
	crawl()
	site.Remove(gone.Path)
	crawl()

	// WARC: revisit records for the unchanged pages, which warcio accepts.
	dir := filepath.Join(data, "warc")
	entries, err := warc.Index(dir)
	if err != nil {
		t.Fatal(err)
	}
	captures := map[string]int{}
	revisits := 0
	for _, e := range entries {
		captures[e.URL]++
		if e.RefersTo != "" {
			revisits++
		}
	}
	if revisits == 0 {
		t.Error("no revisit record after three crawls")
	}
	if captures[editedURL] != 3 || captures[goneURL] != 3 {
		t.Errorf("captures: edited article %d, deleted article %d; want 3 each (one per crawl)", captures[editedURL], captures[goneURL])
	}
	// The CDXJ index beside the files lists every capture.
	lines, err := warc.LoadIndex(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(entries) {
		t.Errorf("index.cdxj has %d lines for %d captures", len(lines), len(entries))
	}
	if warcio := warcioScript(t); warcio != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
		out, err := exec.Command(warcio, append([]string{"check", "-v"}, files...)...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "revisit") {
			t.Errorf("warcio check: %v\n%s", err, out)
		}
	}

	// Replay: the first version before the correction, the corrected one now.
	at := betweenCrawls.Format(time.RFC3339)
	if first := newsarc(t, "--config", cfgPath, "replay", "--at", at, editedURL); !strings.Contains(first, oldWord) {
		t.Errorf("replay --at %s: the first version lacks %q", at, oldWord)
	}
	if now := newsarc(t, "--config", cfgPath, "replay", editedURL+"?utm_source=wechat"); !strings.Contains(now, newWord) {
		t.Errorf("replay: the corrected version lacks %q", newWord)
	}
	// (The third capture is a full response: the deletion took a link
	// out of the edited article's related-posts block.)
	if list := newsarc(t, "--config", cfgPath, "replay", "--list", editedURL); strings.Count(list, "\n") != 3 {
		t.Errorf("replay --list of the edited article: want 3 captures:\n%s", list)
	}

	// Exports: one column list, removed_at and version in all three formats.
	exportDir := t.TempDir()
	for _, f := range []string{"jsonl", "csv", "parquet"} {
		newsarc(t, "export", "--data", data, "--format", f, "--out", filepath.Join(exportDir, "all."+f))
	}
	jsonCols, jsonRows := readJSONL(t, filepath.Join(exportDir, "all.jsonl"))
	csvCols, csvRows := readCSV(t, filepath.Join(exportDir, "all.csv"))
	pqCols, pqRows := readParquet(t, filepath.Join(exportDir, "all.parquet"))
	if !slices.Equal(jsonCols, csvCols) || !slices.Equal(jsonCols, pqCols) {
		t.Errorf("columns differ:\njsonl   %q\ncsv     %q\nparquet %q", jsonCols, csvCols, pqCols)
	}
	for _, c := range []string{"removed_at", "version"} {
		if !slices.Contains(jsonCols, c) {
			t.Errorf("no %s column in %q", c, jsonCols)
		}
	}
	for name, rows := range map[string]map[string]map[string]string{"jsonl": jsonRows, "csv": csvRows, "parquet": pqRows} {
		if r := rows[goneID]; r == nil || !strings.HasPrefix(r["removed_at"], time.Now().UTC().Format("2006-01-02")) {
			t.Errorf("%s: the deleted article's removed_at = %q, want today", name, r["removed_at"])
		}
		if r := rows[editedID]; r == nil || r["removed_at"] != "" || r["version"] != "2" {
			t.Errorf("%s: the edited article: removed_at %q, version %q; want none and 2", name, r["removed_at"], r["version"])
		}
		if len(rows) != len(jsonRows) {
			t.Errorf("%s has %d rows, jsonl %d", name, len(rows), len(jsonRows))
		}
	}

	// --removed in the CLI.
	var res store.Results
	if err := json.Unmarshal([]byte(newsarc(t, "search", "--data", data, "--removed", "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].Article.ID != goneID {
		t.Errorf("search --removed: %d results, want the deleted article alone", res.Total)
	}

	// The HTTP API and the web UI of `newsarc serve`.
	d := startDaemon(t, bin, "serve", "--data", data, "--addr", "127.0.0.1:0")
	var addr string
	select {
	case addr = <-d.addr:
	case <-time.After(deadline):
		t.Fatalf("serve printed no address\n%s", d.stderr.String())
	}
	base := "http://" + addr
	var api struct {
		Total int `json:"total"`
		Hits  []struct {
			ID        string `json:"id"`
			RemovedAt string `json:"removed_at"`
		} `json:"hits"`
	}
	getJSON(t, base+"/api/search?removed=true", &api)
	if api.Total != 1 || len(api.Hits) != 1 || api.Hits[0].ID != goneID || api.Hits[0].RemovedAt == "" {
		t.Errorf("/api/search?removed=true = %+v, want the deleted article", api)
	}
	var diff struct {
		Changed int          `json:"changed"`
		Added   int          `json:"added"`
		Removed int          `json:"removed"`
		Ops     []web.DiffOp `json:"ops"`
	}
	getJSON(t, base+"/api/articles/"+url.PathEscape(editedID)+"/diff", &diff)
	var words []string
	for _, op := range diff.Ops {
		for _, w := range op.Words {
			if w.Op != web.Equal {
				words = append(words, w.Op+":"+w.Text)
			}
		}
	}
	if diff.Changed != 1 || diff.Added+diff.Removed != 0 || !slices.Equal(words, []string{"delete:" + oldWord, "insert:" + newWord}) {
		t.Errorf("diff: changed %d, added %d, removed %d, words %q; want one paragraph with %q struck and %q inserted",
			diff.Changed, diff.Added, diff.Removed, words, oldWord, newWord)
	}

	b := browsertest.New(t)
	b.Navigate(base + "/#/search?removed=true")
	b.Wait("the deleted article, marked", `document.querySelectorAll('#hits li.hit').length === 1 &&
		document.querySelector('#hits li.hit.removed .mark-removed') !== null`)
	b.Navigate(base + "/#/article/" + editedID)
	b.Wait("the one-word diff", `document.querySelectorAll('#diff .op-change').length === 1`)
	got := browsertest.Eval[[]string](b, `[...document.querySelectorAll('#diff .op-change del, #diff .op-change ins')].map(e => e.tagName + ':' + e.textContent)`)
	if !slices.Equal(got, []string{"DEL:" + oldWord, "INS:" + newWord}) {
		t.Errorf("UI diff = %q, want %q struck and %q inserted", got, oldWord, newWord)
	}
	d.stop(t)
}

// chunks yields s in runs of n, the last one possibly shorter.
func chunks[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for i := 0; i+n <= len(s); i += n {
			if !yield(s[i : i+n]) {
				return
			}
		}
	}
}

// warcioScript returns scripts/warcio when warcio runs here, "" (after a
// log line) when it does not, and fails the test when it must
// (NEWSARC_REQUIRE_WARCIO=1).
func warcioScript(t *testing.T) string {
	t.Helper()
	script, _ := filepath.Abs("../../scripts/warcio")
	if out, err := exec.Command(script, "--version").CombinedOutput(); err != nil {
		if os.Getenv("NEWSARC_REQUIRE_WARCIO") == "1" {
			t.Fatalf("NEWSARC_REQUIRE_WARCIO=1 but warcio is unavailable: %v\n%s", err, out)
		}
		t.Logf("warcio is unavailable, not checked: %v", err)
		return ""
	}
	return script
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", u, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// readJSONL returns the keys of the first record in order, and every
// record's removed_at and version by id.
func readJSONL(t *testing.T, path string) ([]string, map[string]map[string]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	rows := map[string]map[string]string{}
	for i, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if i == 0 {
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.Token() // {
			for dec.More() {
				k, _ := dec.Token()
				cols = append(cols, k.(string))
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
		var r struct {
			ID        string `json:"id"`
			RemovedAt string `json:"removed_at"`
			Version   int    `json:"version"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		rows[r.ID] = map[string]string{"removed_at": r.RemovedAt, "version": fmt.Sprint(r.Version)}
	}
	return cols, rows
}

// readCSV returns the header and every row's removed_at and version by id.
func readCSV(t *testing.T, path string) ([]string, map[string]map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	head[0] = strings.TrimPrefix(head[0], "\ufeff")
	id, rm, ver := slices.Index(head, "id"), slices.Index(head, "removed_at"), slices.Index(head, "version")
	rows := map[string]map[string]string{}
	for _, r := range recs[1:] {
		rows[r[id]] = map[string]string{"removed_at": r[rm], "version": r[ver]}
	}
	return head, rows
}

// readParquet returns the schema's top-level columns in order and every
// row's removed_at (RFC 3339 UTC, "" when null) and version by id.
func readParquet(t *testing.T, path string) ([]string, map[string]map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, fl := range pf.Schema().Fields() {
		cols = append(cols, fl.Name())
	}
	type row struct {
		ID        string     `parquet:"id"`
		RemovedAt *time.Time `parquet:"removed_at,optional,timestamp(millisecond:utc)"`
		Version   int32      `parquet:"version"`
	}
	r := parquet.NewGenericReader[row](f)
	defer r.Close()
	rows := map[string]map[string]string{}
	buf := make([]row, 64)
	for {
		n, err := r.Read(buf)
		for _, x := range buf[:n] {
			rm := ""
			if x.RemovedAt != nil {
				rm = x.RemovedAt.UTC().Format(time.RFC3339)
			}
			rows[x.ID] = map[string]string{"removed_at": rm, "version": fmt.Sprint(x.Version)}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return cols, rows
}
