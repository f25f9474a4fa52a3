package warc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"

	"newsarc/store"
)

// recordAt returns the record at c, read with gowarc.
func recordAt(t testing.TB, dir string, c store.Capture) gowarc.Record {
	t.Helper()
	for _, rec := range records(t, filepath.Join(dir, c.File)) {
		if rec.Offset == c.Offset {
			return rec
		}
	}
	t.Fatalf("no record at %s@%d", c.File, c.Offset)
	return gowarc.Record{}
}

// revisitArchive writes, over two Writers (two runs) on one directory, a
// first capture, a 304, an identical body, a changed body, and in the
// second run a 304 and an identical body again; it returns the directory
// and the captures in that order.
func revisitArchive(t testing.TB) (string, []store.Capture) {
	t.Helper()
	dir := t.TempDir()
	url := "http://news.example/2025/02/18/a.html"
	day := 24 * time.Hour
	at := func(ex *Exchange, d time.Duration) *Exchange { ex.Date = when.Add(d); return ex }
	first := []byte("<p>欢迎 first</p>")
	changed := []byte("<p>欢迎 changed</p>")

	w := newWriter(t, Config{Dir: dir, Software: "newsarc v1.2.3", Operator: "mailto:archive@example.org", IsPartOf: "news-2025"})
	cs := []store.Capture{
		mustWrite(t, w, at(exchange(url, 200, first, "Content-Type", "text/html; charset=utf-8", "ETag", `"v1"`), 0)),
		mustWrite(t, w, at(exchange(url, 304, nil, "ETag", `"v1"`), day)),
		mustWrite(t, w, at(exchange(url, 200, first, "Content-Type", "text/html; charset=utf-8", "ETag", `"v1"`), 2*day)),
		mustWrite(t, w, at(exchange(url, 200, changed, "Content-Type", "text/html; charset=utf-8", "ETag", `"v2"`), 3*day)),
		mustWrite(t, w, at(exchange("http://news.example/other", 304, nil), 3*day)), // no earlier capture
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w2 := newWriter(t, Config{Dir: dir})
	cs = append(cs,
		mustWrite(t, w2, at(exchange(url, 304, nil, "ETag", `"v2"`), 4*day)),
		mustWrite(t, w2, at(exchange(url, 200, changed, "Content-Type", "text/html; charset=utf-8"), 5*day)),
	)
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, cs
}

func TestWriteDecidesRevisits(t *testing.T) {
	dir, cs := revisitArchive(t)
	url := "http://news.example/2025/02/18/a.html"
	day := 24 * time.Hour
	tests := []struct {
		name    string
		c       store.Capture
		typ     gowarc.RecordType
		profile string
		refers  store.Capture // zero for a response
		refDate time.Time
		body    string
	}{
		{"first", cs[0], gowarc.Response, "", store.Capture{}, time.Time{}, "<p>欢迎 first</p>"},
		{"304", cs[1], gowarc.Revisit, gowarc.ProfileServerNotModifiedV1_1, cs[0], when, "<p>欢迎 first</p>"},
		{"same body", cs[2], gowarc.Revisit, gowarc.ProfileIdenticalPayloadDigestV1_1, cs[0], when, "<p>欢迎 first</p>"},
		{"changed", cs[3], gowarc.Response, "", store.Capture{}, time.Time{}, "<p>欢迎 changed</p>"},
		{"304 never seen", cs[4], gowarc.Response, "", store.Capture{}, time.Time{}, ""},
		{"304 next run", cs[5], gowarc.Revisit, gowarc.ProfileServerNotModifiedV1_1, cs[3], when.Add(3 * day), "<p>欢迎 changed</p>"},
		{"same body next run", cs[6], gowarc.Revisit, gowarc.ProfileIdenticalPayloadDigestV1_1, cs[3], when.Add(3 * day), "<p>欢迎 changed</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := recordAt(t, dir, tt.c).WarcRecord
			h := rec.WarcHeader()
			if rec.Type() != tt.typ || h.Get(gowarc.WarcProfile) != tt.profile {
				t.Fatalf("%s record, profile %q; want %s %q", rec.Type(), h.Get(gowarc.WarcProfile), tt.typ, tt.profile)
			}
			if tt.typ == gowarc.Revisit {
				orig := recordAt(t, dir, tt.refers).WarcRecord
				if got := h.Get(gowarc.WarcRefersTo); got != bracket(orig.RecordId()) {
					t.Errorf("WARC-Refers-To %s, want %s", got, orig.RecordId())
				}
				if got := h.Get(gowarc.WarcRefersToTargetURI); got != url {
					t.Errorf("WARC-Refers-To-Target-URI %q", got)
				}
				if got, _ := h.GetTime(gowarc.WarcRefersToDate); !got.Equal(tt.refDate) {
					t.Errorf("WARC-Refers-To-Date %v, want %v", got, tt.refDate)
				}
				if got, want := h.Get(gowarc.WarcPayloadDigest), orig.WarcHeader().Get(gowarc.WarcPayloadDigest); got != want || want == "" {
					t.Errorf("WARC-Payload-Digest %q, want the earlier payload's %q", got, want)
				}
			}
			r := mustRead(t, dir, tt.c)
			if string(r.Body) != tt.body || r.StatusCode != tt.c.Status {
				t.Errorf("Read: %d %q, want %d %q", r.StatusCode, r.Body, tt.c.Status, tt.body)
			}
		})
	}

	entries, err := Index(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Time
		want store.Capture
	}{{when.Add(day), cs[0]}, {when.Add(2 * day), cs[0]}, {when.Add(4 * day), cs[3]}, {time.Time{}, cs[3]}} {
		if e, err := Lookup(entries, url, tt.at); err != nil || e.Capture != tt.want {
			t.Errorf("Lookup at %v: %+v, %v; want %+v", tt.at, e.Capture, err, tt.want)
		}
	}
}

func TestWarcinfoFields(t *testing.T) {
	dir, cs := revisitArchive(t)
	recs := records(t, filepath.Join(dir, cs[0].File))
	info := recs[0].WarcRecord
	if info.Type() != gowarc.Warcinfo {
		t.Fatalf("first record is %s", info.Type())
	}
	b, err := info.Block().RawBytes()
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 4096)
	n, _ := b.Read(raw)
	fields := string(raw[:n])
	for _, want := range []string{
		"software: newsarc v1.2.3\r\n",
		"operator: mailto:archive@example.org\r\n",
		"isPartOf: news-2025\r\n",
		"format: WARC File Format 1.1\r\n",
		"conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
	} {
		if !strings.Contains(fields, want) {
			t.Errorf("warcinfo lacks %q:\n%s", want, fields)
		}
	}
}

func TestCDXJIndex(t *testing.T) {
	dir, cs := revisitArchive(t)
	lines, err := readIndex(filepath.Join(dir, DefaultIndex))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(cs) {
		t.Fatalf("index has %d lines, want %d (one per capture)", len(lines), len(cs))
	}
	var text []string
	for _, l := range lines {
		text = append(text, l.String())
	}
	if !slices.IsSorted(text) {
		t.Errorf("index not sorted:\n%s", strings.Join(text, "\n"))
	}
	for _, c := range cs {
		i := slices.IndexFunc(lines, func(l IndexLine) bool { return l.RecordID == c.RecordID })
		if i < 0 {
			t.Errorf("no line for %+v", c)
			continue
		}
		l := lines[i]
		rec := recordAt(t, dir, c)
		wantMime := "text/html"
		if rec.WarcRecord.Type() == gowarc.Revisit {
			wantMime = RevisitMime
		} else if c.Status == 304 {
			wantMime = ""
		}
		if l.Filename != c.File || l.Offset != fmt.Sprint(c.Offset) || l.Length != fmt.Sprint(rec.Size) ||
			l.Status != fmt.Sprint(c.Status) || l.Mime != wantMime || !strings.HasPrefix(l.Digest, "sha1:") {
			t.Errorf("line %s\nfor %+v (%s, %d bytes)", l, c, rec.WarcRecord.Type(), rec.Size)
		}
		if !strings.HasPrefix(l.Key, "example,news)/") {
			t.Errorf("key %q", l.Key)
		}
	}

	// A file the index lacks (closed by a process that died before
	// updating it) is added by the next update; a removed file is dropped.
	if err := os.Remove(filepath.Join(dir, DefaultIndex)); err != nil {
		t.Fatal(err)
	}
	again, err := LoadIndex(dir, "")
	if err != nil || len(again) != len(lines) {
		t.Fatalf("rebuilt index: %d lines, %v", len(again), err)
	}
	// A damaged index is made again from the files.
	if err := os.WriteFile(filepath.Join(dir, DefaultIndex), []byte("garbage\n{\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again, err := LoadIndex(dir, ""); err != nil || len(again) != len(lines) {
		t.Fatalf("index rebuilt from garbage: %d lines, %v", len(again), err)
	}
	if err := os.Remove(filepath.Join(dir, cs[len(cs)-1].File)); err != nil {
		t.Fatal(err)
	}
	less, err := LoadIndex(dir, "")
	if err != nil || len(less) != len(lines)-2 {
		t.Fatalf("index without the second file: %d lines, %v", len(less), err)
	}
}

func TestSURT(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://www.Example.com/Path/?b=2&a=1#frag", "com,example)/path?a=1&b=2"},
		{"https://news.example.cn:443/a", "cn,example,news)/a"},
		{"http://news.example:8080/", "example,news:8080)/"},
		{"http://www2.example.com", "com,example)/"},
		{"http://b.example/%E6%96%B0%E9%97%BB?id=1", "example,b)/%e6%96%b0%e9%97%bb?id=1"},
	}
	for _, tt := range tests {
		if got := SURT(tt.in); got != tt.want {
			t.Errorf("SURT(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// pyTool returns the absolute path of scripts/<name>, a Python tool run
// from a venv it installs, or skips the test when it cannot run (fails
// under NEWSARC_REQUIRE_WARCIO=1).
func pyTool(t testing.TB, name string, probe ...string) string {
	t.Helper()
	script, err := filepath.Abs("../../scripts/" + name)
	if err != nil {
		t.Fatal(err)
	}
	unavailable := func(err error) {
		if os.Getenv("NEWSARC_REQUIRE_WARCIO") == "1" {
			t.Fatalf("NEWSARC_REQUIRE_WARCIO=1 but %s is unavailable: %v", name, err)
		}
		t.Skipf("skipping: %s is unavailable: %v (set NEWSARC_REQUIRE_WARCIO=1 to fail instead)", name, err)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		unavailable(err)
	}
	if out, err := exec.Command(script, probe...).CombinedOutput(); err != nil {
		unavailable(fmt.Errorf("scripts/%s %s: %v\n%s", name, strings.Join(probe, " "), err, out))
	}
	return script
}

// TestRevisitsWarcio checks files with revisit records with warcio: every
// digest passes, and warcio's index lists each revisit as one.
func TestRevisitsWarcio(t *testing.T) {
	script := pyTool(t, "warcio", "--version")
	dir, cs := revisitArchive(t)
	revisits := 0
	for _, name := range dirNames(t, dir) {
		path := filepath.Join(dir, name)
		if out := runWarcio(t, script, "check", "-v", path); strings.Contains(out, "fail") {
			t.Errorf("warcio check %s:\n%s", name, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(runWarcio(t, script, "index", "-f", "warc-type,offset,warc-profile", path)), "\n") {
			var got struct {
				Type    string `json:"warc-type"`
				Offset  string `json:"offset"`
				Profile string `json:"warc-profile"`
			}
			if err := jsonUnmarshal(line, &got); err != nil {
				t.Fatalf("warcio index line %q: %v", line, err)
			}
			if got.Type == "revisit" {
				revisits++
				if !strings.HasPrefix(got.Profile, "http://netpreserve.org/warc/1.1/revisit/") {
					t.Errorf("%s@%s: profile %q", name, got.Offset, got.Profile)
				}
			}
		}
	}
	if revisits != 4 {
		t.Errorf("warcio sees %d revisit records, want 4 (of %d captures)", revisits, len(cs))
	}
}

// TestIndexMatchesCDXJIndexer compares the Writer's CDXJ index with the
// one Webrecorder's cdxj-indexer (pywb's family) makes of the same files.
func TestIndexMatchesCDXJIndexer(t *testing.T) {
	script := pyTool(t, "cdxj-indexer", "--help")
	dir, _ := revisitArchive(t)
	var files []string
	for _, name := range dirNames(t, dir) {
		files = append(files, filepath.Join(dir, name))
	}
	cmd := exec.Command(script, files...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cdxj-indexer: %v", err)
	}
	lines, err := readIndex(filepath.Join(dir, DefaultIndex))
	if err != nil {
		t.Fatal(err)
	}
	// Theirs, with newsarc's two fields added, must be ours.
	var theirs []string
	for _, s := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		key, rest, _ := strings.Cut(s, " ")
		ts, js, _ := strings.Cut(rest, " ")
		l := IndexLine{Key: key, Timestamp: ts}
		if err := jsonUnmarshal(js, &l); err != nil {
			t.Fatalf("cdxj-indexer line %q: %v", s, err)
		}
		l.Filename = filepath.Base(l.Filename)
		i := slices.IndexFunc(lines, func(o IndexLine) bool { return o.Filename == l.Filename && o.Offset == l.Offset })
		if i >= 0 {
			l.RecordID, l.Date = lines[i].RecordID, lines[i].Date
		}
		theirs = append(theirs, l.String())
	}
	slices.Sort(theirs)
	var ours []string
	for _, l := range lines {
		ours = append(ours, l.String())
	}
	if strings.Join(ours, "\n") != strings.Join(theirs, "\n") {
		t.Errorf("index differs from cdxj-indexer's:\nours:\n%s\ntheirs:\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
	}
}

// TestIndexAsWritten: a Writer indexes a finished file from its captures
// as it wrote them, without reading the file back; the lines are those a
// reading of the files gives, for every kind of capture (responses of any
// status and type, revisits of both profiles, a cut body, escaped URLs),
// across files rotated by size and a second Writer on the directory.
func TestIndexAsWritten(t *testing.T) {
	dir := t.TempDir()
	html := []string{"Content-Type", "text/html; charset=utf-8"}
	w := newWriter(t, Config{Dir: dir, MaxFileSize: 16 << 10})
	var cs []store.Capture
	for i := range 6 {
		url := fmt.Sprintf("http://news.example/2025/%d/story.html?utm_source=x&id=%d", i, i)
		cs = append(cs, mustWrite(t, w, exchange(url, 200, noise(6<<10, uint64(i)), html...)))
	}
	cs = append(cs,
		mustWrite(t, w, exchange("http://news.example/2025/0/story.html?utm_source=x&id=0", 200, noise(6<<10, 0), html...)), // identical payload
		mustWrite(t, w, exchange("http://news.example/新闻/要闻.html", 200, []byte("<p>要闻</p>"), html...)),
		mustWrite(t, w, exchange("http://news.example/missing", 404, []byte("gone"), "Content-Type", "text/plain")),
		mustWrite(t, w, exchange("http://news.example/moved", 301, nil, "Location", "/new")),
		mustWrite(t, w, exchange("http://news.example/feed.xml", 200, []byte("<rss/>"), "Content-Type", "application/rss+xml")),
	)
	cut := exchange("http://news.example/robots.txt", 200, []byte("User-agent: *\n"), "Content-Type", "text/plain")
	cut.Truncated = "length"
	cs = append(cs, mustWrite(t, w, cut))
	rev, err := w.WriteRevisit(context.Background(), exchange("http://news.example/2025/1/story.html?utm_source=x&id=1", 304, nil), cs[1])
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, rev)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w2 := newWriter(t, Config{Dir: dir})
	cs = append(cs, mustWrite(t, w2, exchange("http://news.example/2025/2/story.html?utm_source=x&id=2", 200, noise(6<<10, 2), html...)))
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, c := range cs {
		files[c.File] = true
	}
	if len(files) < 3 {
		t.Fatalf("the captures are in %d files, want rotation into at least 3", len(files))
	}

	written, err := readIndex(filepath.Join(dir, DefaultIndex))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, DefaultIndex)); err != nil {
		t.Fatal(err)
	}
	read, err := LoadIndex(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != len(cs) || len(read) != len(cs) {
		t.Fatalf("%d lines as written, %d as read, want %d", len(written), len(read), len(cs))
	}
	for i := range read {
		if got, want := written[i].String(), read[i].String(); got != want {
			t.Errorf("line %d as written:\n%s\nas read from the file:\n%s", i, got, want)
		}
	}
}
