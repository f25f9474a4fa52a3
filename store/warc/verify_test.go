package warc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"newsarc/store"
)

// writeArchive writes n exchanges (each a response and a request record)
// to a finished file in a new directory and returns the directory, the
// file's path and the captures.
func writeArchive(t testing.TB, n int) (dir, path string, caps []store.Capture) {
	t.Helper()
	dir = t.TempDir()
	w, err := NewWriter(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		body := []byte(fmt.Sprintf("<html><body><p>article %d %s</p></body></html>", i, strings.Repeat("新闻 ", 50)))
		caps = append(caps, mustWrite(t, w, exchange(fmt.Sprintf("http://news.example/%d", i), 200, body, "Content-Type", "text/html")))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(dir, caps[0].File), caps
}

func mustVerify(t testing.TB, dir string) *Report {
	t.Helper()
	r, err := Verify(t.Context(), dir)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return r
}

// member returns the gzip member (one record) of the file at off.
func member(t testing.TB, file []byte, off int64) []byte {
	t.Helper()
	cr := &countReader{r: bytes.NewReader(file[off:])}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	if _, err := io.Copy(io.Discard, zr); err != nil {
		t.Fatal(err)
	}
	return file[off : off+cr.n]
}

// countReader counts the bytes read through it; it is an io.ByteReader so
// that gzip reads no further than it needs.
type countReader struct {
	r *bytes.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// recompressed returns the member m decompressed, edited and compressed
// again: damage done before compression, which gzip's CRC cannot see.
func recompressed(t testing.TB, m []byte, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(m))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return gzipped(t, edit(plain))
}

func TestVerifySound(t *testing.T) {
	dir, _, _ := writeArchive(t, 5)
	r := mustVerify(t, dir)
	if r.Files != 1 || r.Records != 11 || len(r.Faults) > 0 { // warcinfo and 5 × 2
		t.Errorf("Verify of sound files: %+v", r)
	}
}

// TestVerifyFindsDamage damages a file in the ways a disk or a copy can,
// and checks that Verify finds each and still reads the records after it.
func TestVerifyFindsDamage(t *testing.T) {
	dir, path, caps := writeArchive(t, 5)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	third := caps[2].Offset
	m := member(t, good, third)
	tests := []struct {
		name    string
		damage  func([]byte) []byte
		at      int64 // the first fault's offset
		want    string
		records int // read whole
	}{
		{"byte flipped in a compressed record", func(b []byte) []byte {
			b[third+int64(len(m))/2] ^= 0x40
			return b
		}, third, "unreadable record", 10},
		{"payload altered before compression", func(b []byte) []byte {
			bad := recompressed(t, m, func(p []byte) []byte { return bytes.Replace(p, []byte("article 2"), []byte("article X"), 1) })
			return slicesConcat(b[:third], bad, b[third+int64(len(m)):])
		}, third, "digest", 11},
		{"cut in the middle of a record", func(b []byte) []byte {
			return b[:third+int64(len(m))/2]
		}, third, "unreadable record", 5},
		{"garbage between records", func(b []byte) []byte {
			return slicesConcat(b[:third], []byte("garbage bytes here"), b[third:]) // 18 bytes
		}, third + 18, "18 bytes after", 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, tt.damage(bytes.Clone(good)), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.WriteFile(path, good, 0o644) })
			r := mustVerify(t, dir)
			if len(r.Faults) == 0 {
				t.Fatalf("Verify found nothing: %+v", r)
			}
			f := r.Faults[0]
			if f.File != caps[0].File || f.Offset != tt.at || !strings.Contains(f.Err.Error(), tt.want) {
				t.Errorf("first fault %v; want one at %d saying %q", f, tt.at, tt.want)
			}
			if !errors.Is(f.Err, store.ErrCorrupt) {
				t.Errorf("fault %v does not wrap store.ErrCorrupt", f.Err)
			}
			if r.Records != tt.records {
				t.Errorf("%d records read whole, want %d (faults %v)", r.Records, tt.records, r.Faults)
			}
		})
	}
}

func slicesConcat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestCheckCapture(t *testing.T) {
	dir, path, caps := writeArchive(t, 3)
	c := caps[1]
	if err := CheckCapture(dir, c, "http://news.example/1"); err != nil {
		t.Fatalf("CheckCapture of a sound capture: %v", err)
	}
	tests := []struct {
		name string
		c    store.Capture
		url  string
		want error
	}{
		{"another URL", c, "http://news.example/2", ErrMismatch},
		{"another record", store.Capture{File: c.File, Offset: caps[2].Offset, RecordID: c.RecordID}, "http://news.example/1", ErrMismatch},
		{"inside a record", store.Capture{File: c.File, Offset: c.Offset + 7, RecordID: c.RecordID}, "http://news.example/1", ErrMismatch},
		{"past the end", store.Capture{File: c.File, Offset: 1 << 30, RecordID: c.RecordID}, "http://news.example/1", ErrMismatch},
		{"no such file", store.Capture{File: "newsarc-gone.warc.gz", RecordID: c.RecordID}, "http://news.example/1", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckCapture(dir, tt.c, tt.url); !errors.Is(err, tt.want) {
				t.Errorf("CheckCapture = %v, want %v", err, tt.want)
			}
		})
	}

	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := member(t, good, c.Offset)
	bad := recompressed(t, m, func(p []byte) []byte { return bytes.Replace(p, []byte("article 1"), []byte("article 9"), 1) })
	if err := os.WriteFile(path, slicesConcat(good[:c.Offset], bad, good[c.Offset+int64(len(m)):]), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckCapture(dir, c, "http://news.example/1"); !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), "digest") {
		t.Errorf("CheckCapture of an altered record: %v, want ErrCorrupt about its digest", err)
	}
}
