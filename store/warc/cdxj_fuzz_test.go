package warc

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzCDXJ: whatever the index file holds (damaged, cut, another tool's),
// reading it gives lines or an error, never a panic; and lines read are
// written and read back the same, so that an update never changes what it
// does not touch. SURT, which makes the lines' keys, never panics on a URL
// and gives a lower-case key.
func FuzzCDXJ(f *testing.F) {
	f.Add([]byte(`com,example)/a 20250218054400 {"url":"https://example.com/a","mime":"text/html","status":"200","digest":"sha1:X","length":"100","offset":"0","filename":"a.warc.gz","record_id":"<urn:uuid:1>","warc_date":"2025-02-18T05:44:00.5Z"}` + "\n"))
	f.Add([]byte("com,example)/ 2025 {}\n\n"))
	f.Add([]byte("com,example)/ 2025 {\"url\":1}\n"))
	f.Add([]byte("no spaces\n"))
	f.Add([]byte("a  {}\r\n"))
	f.Add([]byte("k t {\"url\":\"\xff\"}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "index.cdxj")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		lines, err := readIndex(path)
		if err != nil {
			return
		}
		again := filepath.Join(dir, "again.cdxj")
		texts := make([]string, len(lines))
		for i, l := range lines {
			texts[i] = l.String()
		}
		if err := writeText(again, texts); err != nil {
			t.Fatal(err)
		}
		back, err := readIndex(again)
		if err != nil {
			t.Fatalf("the index written from %d lines does not read: %v", len(lines), err)
		}
		if len(back) != len(lines) || (len(lines) > 0 && !reflect.DeepEqual(back, lines)) {
			t.Fatalf("read %d lines, wrote and read back %d different", len(lines), len(back))
		}
		for _, l := range lines {
			if k := SURT(l.URL); k != strings.ToLower(k) {
				t.Fatalf("SURT(%q) = %q, not lower case", l.URL, k)
			}
		}
	})
}
