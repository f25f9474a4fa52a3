package warc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// surtShapes are URL shapes whose SURT keys once differed from python's
// surt (a final slash, upper-case query parameters), with the keys surt
// 0.3 gives them.
var surtShapes = []struct{ in, want string }{
	{"http://b.example/2026/12/01/a/", "example,b)/2026/12/01/a"},
	{"http://b.example/a/b/?x=1", "example,b)/a/b?x=1"},
	{"http://b.example/list?B=2&a=1", "example,b)/list?a=1&b=2"},
	{"http://127.0.0.1:8080/a/", "1,0,0,127:8080)/a"},
	{"http://127.0.0.1:8080/", "1,0,0,127:8080)/"},
	{"https://www.example.com/", "com,example)/"},
}

func TestSURTFinalSlashAndQueryCase(t *testing.T) {
	for _, tt := range surtShapes {
		if got := SURT(tt.in); got != tt.want {
			t.Errorf("SURT(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSURTMatchesCDXJIndexer indexes captures of those shapes with
// cdxj-indexer: its keys (python's surt, which pywb looks URLs up by) are
// the index's.
func TestSURTMatchesCDXJIndexer(t *testing.T) {
	script := pyTool(t, "cdxj-indexer", "--help")
	dir := t.TempDir()
	w := newWriter(t, Config{Dir: dir})
	for _, tt := range surtShapes {
		mustWrite(t, w, exchange(tt.in, 200, []byte("<p>"+tt.in+"</p>"), "Content-Type", "text/html"))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, dirNames(t, dir)...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cdxj-indexer: %v", err)
	}
	theirs := map[string]string{} // url → key
	for _, s := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		key, rest, _ := strings.Cut(s, " ")
		_, js, _ := strings.Cut(rest, " ")
		var l IndexLine
		if err := jsonUnmarshal(js, &l); err != nil {
			t.Fatalf("cdxj-indexer line %q: %v", s, err)
		}
		theirs[l.URL] = key
	}
	lines, err := LoadIndex(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(surtShapes) {
		t.Fatalf("index has %d lines, want %d", len(lines), len(surtShapes))
	}
	for _, l := range lines {
		if theirs[l.URL] != l.Key {
			t.Errorf("%s: key %q, cdxj-indexer's %q", l.URL, l.Key, theirs[l.URL])
		}
	}
}

// TestLoadIndexRekeys: an index written with keys of an older SURT (a
// final slash kept) is re-keyed, re-sorted and rewritten on load.
func TestLoadIndexRekeys(t *testing.T) {
	dir := t.TempDir()
	w := newWriter(t, Config{Dir: dir})
	for _, u := range []string{"http://b.example/a/", "http://b.example/a-b/", "http://b.example/a.html"} {
		mustWrite(t, w, exchange(u, 200, []byte("<p>"+u+"</p>"), "Content-Type", "text/html"))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, DefaultIndex)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := string(b)
	// The old keys: the final slash kept.
	old := strings.ReplaceAll(want, "example,b)/a ", "example,b)/a/ ")
	old = strings.ReplaceAll(old, "example,b)/a-b ", "example,b)/a-b/ ")
	if old == want {
		t.Fatalf("index has no key to age:\n%s", want)
	}
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIndex(dir, ""); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != want {
		t.Errorf("index after load:\n%s\nwant:\n%s", b, want)
	}
}
