package warc

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
	gowarc "github.com/nlnwa/gowarc/v3"
)

// FuzzWARCReader feeds arbitrary bytes to the two ways newsarc reads WARC
// files: a record at an offset, as Read (replay, the capture download)
// and CheckCapture do, and a whole file, as Verify (newsarc check) does.
// Neither may panic or loop, whatever the bytes. The seeds are a file the
// Writer wrote (responses plain, gzip- and brotli-encoded, a revisit, the
// request records), the same records uncompressed, and cut and flipped
// copies of both.
func FuzzWARCReader(f *testing.F) {
	file := fuzzSeedFile(f)
	plain := uncompressed(f, file)
	for _, seed := range [][]byte{file, plain} {
		f.Add(seed)
		for _, cut := range []int{1, 5, 10, 100, len(seed) / 3, len(seed) / 2, len(seed) - 1} {
			if cut < len(seed) {
				f.Add(bytes.Clone(seed[:cut]))
			}
		}
		for _, at := range []int{0, 3, 12, 40, len(seed) / 4, len(seed) / 2, len(seed) - 9, len(seed) - 2} {
			if at >= 0 && at < len(seed) {
				b := bytes.Clone(seed)
				b[at] ^= 0x55
				f.Add(b)
			}
		}
	}
	f.Add([]byte{})
	f.Add([]byte("WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 99999999999\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff})

	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		size := int64(len(data))
		rep := &Report{}
		if err := verifyFile(context.Background(), r, size, "fuzz.warc.gz", rep); err != nil {
			t.Fatalf("verifyFile: %v", err)
		}
		for _, fault := range rep.Faults {
			if fault.Offset < 0 || fault.Offset > size || fault.Err == nil {
				t.Fatalf("fault out of the file (%d bytes): %+v", size, fault)
			}
		}
		offsets := []int64{0}
		if next := resync(r, size, 1); next > 0 {
			offsets = append(offsets, next)
		}
		for _, off := range offsets {
			_ = readRecordAt(r, size, off, "", nil, func(rec gowarc.WarcRecord, _ []error) error {
				if _, _, err := entry(rec); err != nil {
					return err
				}
				_, err := response(rec)
				return err
			})
		}
	})
}

// fuzzSeedFile returns a WARC file as the Writer writes it.
func fuzzSeedFile(t testing.TB) []byte {
	dir := t.TempDir()
	w, err := NewWriter(Config{Dir: dir, MinFree: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	html := []byte("<html><head><title>Hello</title></head><body><p>news news</p></body></html>")
	c, err := w.Write(ctx, exchange("http://news.example/a?x=1", 200, html, "Content-Type", "text/html; charset=utf-8", "ETag", `"v1"`))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(zhHTML))
	zw.Close()
	for _, ex := range []*Exchange{
		exchange("http://news.example/中文", 200, gz.Bytes(), "Content-Type", "text/html; charset=gbk", "Content-Encoding", "gzip"),
		exchange("http://news.example/big", 200, noise(2000, 7), "Content-Type", "application/octet-stream"),
		exchange("http://news.example/gone", 404, nil),
	} {
		if _, err := w.Write(ctx, ex); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.WriteRevisit(ctx, exchange("http://news.example/a?x=1", 304, nil, "ETag", `"v1"`), c); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, c.File))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// uncompressed returns the records of a .warc.gz file as a plain .warc.
func uncompressed(t testing.TB, file []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr) // every member, one after the other
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFuzzSeedsRead checks that the fuzz seeds are what they should be: the
// file and its uncompressed form verify without a fault.
func TestFuzzSeedsRead(t *testing.T) {
	file := fuzzSeedFile(t)
	for name, b := range map[string][]byte{"gz": file, "plain": uncompressed(t, file)} {
		rep := &Report{}
		if err := verifyFile(t.Context(), bytes.NewReader(b), int64(len(b)), name, rep); err != nil {
			t.Fatal(err)
		}
		if rep.Records != 11 || len(rep.Faults) > 0 {
			t.Errorf("%s: %d records, faults %v; want 11 and none", name, rep.Records, rep.Faults)
		}
		err := readRecordAt(bytes.NewReader(b), int64(len(b)), 0, "", nil, func(rec gowarc.WarcRecord, v []error) error {
			if rec.Type() != gowarc.Warcinfo || len(v) > 0 {
				t.Errorf("%s: first record %s, findings %v", name, rec.Type(), v)
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
