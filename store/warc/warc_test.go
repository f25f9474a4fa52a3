package warc

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	gowarc "github.com/nlnwa/gowarc/v3"
	"golang.org/x/text/encoding/simplifiedchinese"

	"newsarc/store"
)

// newWriter returns a Writer on a fresh directory, closed at cleanup.
func newWriter(t testing.TB, cfg Config) *Writer {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	w, err := NewWriter(cfg)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func mustWrite(t testing.TB, w *Writer, ex *Exchange) store.Capture {
	t.Helper()
	c, err := w.Write(context.Background(), ex)
	if err != nil {
		t.Fatalf("Write %s: %v", ex.URL, err)
	}
	return c
}

func mustRead(t testing.TB, dir string, c store.Capture) *Response {
	t.Helper()
	r, err := Read(dir, c)
	if err != nil {
		t.Fatalf("Read %+v: %v", c, err)
	}
	return r
}

var when = time.Date(2025, 2, 18, 5, 44, 0, 123456789, time.UTC)

// exchange returns a plausible exchange for url with the given body and
// response header fields (name, value pairs).
func exchange(url string, status int, body []byte, kv ...string) *Exchange {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return &Exchange{
		URL:            url,
		Method:         http.MethodGet,
		RequestHeader:  http.Header{"User-Agent": {"newsarc-test/1"}, "Accept-Encoding": {"gzip"}},
		RequestProto:   "HTTP/1.1",
		StatusCode:     status,
		Status:         fmt.Sprintf("%d %s", status, http.StatusText(status)),
		ResponseProto:  "HTTP/1.1",
		ResponseHeader: h,
		Body:           body,
		IP:             "127.0.0.1:8080",
		Date:           when,
	}
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func brotlied(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	bw := brotli.NewWriter(&buf)
	if _, err := bw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// noise returns n incompressible bytes.
func noise(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

const zhHTML = `<html><head><meta charset="gbk"><title>新华社：春节假期消费市场繁荣活跃</title></head>` +
	`<body><p>2025年2月18日 上午5:44 来源：新华网 责任编辑：王小明</p><p>相关推荐 上一篇 下一篇</p></body></html>`

var recordID = regexp.MustCompile(`^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>$`)

var fileName = regexp.MustCompile(`^newsarc-\d{14}-\d{5}\.warc\.gz$`)

func TestWriteRead(t *testing.T) {
	html := []byte("<html><head><title>Hello</title></head><body><p>" + strings.Repeat("news ", 400) + "</p></body></html>")
	zh := gbk(t, zhHTML)
	gz := gzipped(t, html)
	tests := []struct {
		name     string
		ex       *Exchange
		wantBody []byte
		wantEnc  string
	}{
		{"plain", exchange("http://news.example/a/1.html", 200, html, "Content-Type", "text/html; charset=utf-8"), html, ""},
		{"gzip", exchange("http://news.example/a/2.html", 200, gz, "Content-Type", "text/html", "Content-Encoding", "gzip",
			"Content-Length", fmt.Sprint(len(gz)), "Vary", "Accept-Encoding"), html, "gzip"},
		{"brotli", exchange("https://news.example/a/3.html?x=1&y=%E4%B8%AD", 200, brotlied(t, html),
			"Content-Type", "text/html", "Content-Encoding", "br"), html, "br"},
		{"gbk", exchange("http://news.example.cn/zh/4.shtml", 200, zh, "Content-Type", "text/html; charset=GBK"), zh, ""},
		{"gbk gzip", exchange("http://news.example.cn/zh/5.shtml", 200, gzipped(t, zh),
			"Content-Type", "text/html; charset=gb2312", "Content-Encoding", "gzip"), zh, "gzip"},
		{"unknown coding", exchange("http://news.example/a/6.html", 200, []byte("opaque"),
			"Content-Type", "text/html", "Content-Encoding", "x-newsarc"), []byte("opaque"), ""},
		{"chinese url", exchange("http://news.example.cn/新闻/8.html?q=中 文&x=%E4%B8%AD", 200, zh, "Content-Type", "text/html; charset=GBK"), zh, ""},
		{"not found", exchange("http://news.example/gone", 404, []byte("no such page"), "Content-Type", "text/plain"), []byte("no such page"), ""},
		{"empty body", exchange("http://news.example/empty", 204, nil), nil, ""},
		{"redirect", exchange("http://news.example/old", 301, nil, "Location", "http://news.example/new"), nil, ""},
	}
	w := newWriter(t, Config{})
	dir := w.cfg.Dir
	caps := make([]store.Capture, len(tests))
	for i, tt := range tests {
		caps[i] = mustWrite(t, w, tt.ex)
	}
	check := func(t *testing.T, closed bool) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := caps[i]
				if !fileName.MatchString(c.File) {
					t.Errorf("File %q does not match %v", c.File, fileName)
				}
				if !recordID.MatchString(c.RecordID) {
					t.Errorf("RecordID %q, want <urn:uuid:…>", c.RecordID)
				}
				if c.Status != tt.ex.StatusCode || c.Type != tt.ex.ResponseHeader.Get("Content-Type") {
					t.Errorf("capture status %d type %q, want %d %q", c.Status, c.Type, tt.ex.StatusCode, tt.ex.ResponseHeader.Get("Content-Type"))
				}
				r := mustRead(t, dir, c)
				if r.StatusCode != tt.ex.StatusCode || r.Status != tt.ex.Status || r.Proto != "HTTP/1.1" {
					t.Errorf("status %q %d %q, want %q", r.Proto, r.StatusCode, r.Status, tt.ex.Status)
				}
				if !bytes.Equal(r.Body, tt.wantBody) {
					t.Errorf("body %d bytes %.60q, want %d bytes %.60q", len(r.Body), r.Body, len(tt.wantBody), tt.wantBody)
				}
				if r.ContentEncoding != tt.wantEnc {
					t.Errorf("ContentEncoding %q, want %q", r.ContentEncoding, tt.wantEnc)
				}
				for k := range tt.ex.ResponseHeader {
					if tt.wantEnc != "" && (k == "Content-Encoding" || k == "Content-Length") {
						if r.Header.Get(k) != "" {
							t.Errorf("decoded body still has %s: %q", k, r.Header.Get(k))
						}
						continue
					}
					if got, want := r.Header.Values(k), tt.ex.ResponseHeader.Values(k); strings.Join(got, "|") != strings.Join(want, "|") {
						t.Errorf("header %s = %q, want %q", k, got, want)
					}
				}
				if r.URL != EscapeURL(tt.ex.URL) || !r.Date.Equal(when) || r.IP != "127.0.0.1" || r.RecordID != c.RecordID {
					t.Errorf("URL %q date %v IP %q id %q", r.URL, r.Date, r.IP, r.RecordID)
				}
				if r.Truncated != "" || r.RefersTo != "" {
					t.Errorf("Truncated %q RefersTo %q, want none", r.Truncated, r.RefersTo)
				}
			})
		}
		if closed {
			if names := dirNames(t, dir); len(names) != 1 || names[0] != caps[0].File {
				t.Errorf("files after Close: %q, want [%s]", names, caps[0].File)
			}
		}
	}
	t.Run("open", func(t *testing.T) {
		if names := dirNames(t, dir); len(names) != 1 || names[0] != caps[0].File+OpenExt {
			t.Errorf("files before Close: %q, want [%s%s]", names, caps[0].File, OpenExt)
		}
		check(t, false)
	})
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	t.Run("closed", func(t *testing.T) { check(t, true) })
}

func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		if de.Name() != DefaultIndex {
			names = append(names, de.Name())
		}
	}
	return names
}

// records lists the records of a WARC file with gowarc.
func records(t testing.TB, path string) []gowarc.Record {
	t.Helper()
	r, err := newFileReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var recs []gowarc.Record
	for rec, err := range r.Records() {
		if err != nil {
			t.Fatalf("%s: record at %d: %v", path, rec.Offset, err)
		}
		if len(rec.Validation) > 0 {
			t.Errorf("%s: record at %d: %v", path, rec.Offset, rec.Validation)
		}
		recs = append(recs, rec)
		_ = rec.WarcRecord.Block().Cache()
		rec.Close()
	}
	return recs
}

func TestRecordFields(t *testing.T) {
	w := newWriter(t, Config{})
	body := gzipped(t, gbk(t, zhHTML))
	ex := exchange("http://news.example.cn/zh/7.shtml", 200, body, "Content-Type", "text/html; charset=GBK", "Content-Encoding", "gzip")
	ex.ResponseHeader.Set("Transfer-Encoding", "chunked")
	ex.Truncated = "length"
	c := mustWrite(t, w, ex)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs := records(t, filepath.Join(w.cfg.Dir, c.File))
	if len(recs) != 3 {
		t.Fatalf("%d records, want warcinfo, response, request", len(recs))
	}
	info, resp, req := recs[0].WarcRecord, recs[1].WarcRecord, recs[2].WarcRecord
	if info.Type() != gowarc.Warcinfo || resp.Type() != gowarc.Response || req.Type() != gowarc.Request {
		t.Fatalf("record types %v %v %v", info.Type(), resp.Type(), req.Type())
	}
	if recs[1].Offset != c.Offset || bracket(resp.RecordId()) != c.RecordID {
		t.Errorf("response at %d id %s, capture %d %s", recs[1].Offset, resp.RecordId(), c.Offset, c.RecordID)
	}
	ih, rh, qh := info.WarcHeader(), resp.WarcHeader(), req.WarcHeader()
	if ih.Get(gowarc.WarcFilename) != c.File {
		t.Errorf("WARC-Filename %q, want %q", ih.Get(gowarc.WarcFilename), c.File)
	}
	for _, h := range []*gowarc.WarcFields{rh, qh} {
		if h.GetId(gowarc.WarcWarcinfoID) != info.RecordId() {
			t.Errorf("WARC-Warcinfo-ID %q, want %q", h.Get(gowarc.WarcWarcinfoID), info.RecordId())
		}
		if h.Get(gowarc.WarcIPAddress) != "127.0.0.1" || h.Get(gowarc.WarcTargetURI) != ex.URL {
			t.Errorf("IP %q URI %q", h.Get(gowarc.WarcIPAddress), h.Get(gowarc.WarcTargetURI))
		}
	}
	if rh.GetId(gowarc.WarcConcurrentTo) != req.RecordId() || qh.GetId(gowarc.WarcConcurrentTo) != resp.RecordId() {
		t.Errorf("WARC-Concurrent-To: response %q, request %q", rh.Get(gowarc.WarcConcurrentTo), qh.Get(gowarc.WarcConcurrentTo))
	}
	sum := sha1.Sum(body)
	if want := "sha1:" + base32.StdEncoding.EncodeToString(sum[:]); rh.Get(gowarc.WarcPayloadDigest) != want {
		t.Errorf("WARC-Payload-Digest %q, want %q (of the body as received)", rh.Get(gowarc.WarcPayloadDigest), want)
	}
	if !strings.HasPrefix(rh.Get(gowarc.WarcBlockDigest), "sha1:") {
		t.Errorf("WARC-Block-Digest %q", rh.Get(gowarc.WarcBlockDigest))
	}
	if rh.Get(gowarc.WarcTruncated) != "length" {
		t.Errorf("WARC-Truncated %q, want length", rh.Get(gowarc.WarcTruncated))
	}
	head := string(resp.Block().(gowarc.ProtocolHeaderBlock).ProtocolHeaderBytes())
	if !strings.HasPrefix(head, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html; charset=GBK\r\n") || strings.Contains(head, "Transfer-Encoding") {
		t.Errorf("response head %q", head)
	}
	qhead := string(req.Block().(gowarc.ProtocolHeaderBlock).ProtocolHeaderBytes())
	if want := "GET /zh/7.shtml HTTP/1.1\r\nAccept-Encoding: gzip\r\nHost: news.example.cn\r\nUser-Agent: newsarc-test/1\r\n\r\n"; qhead != want {
		t.Errorf("request head %q, want %q", qhead, want)
	}
	r := mustRead(t, w.cfg.Dir, c)
	if r.Truncated != "length" || string(r.Body) != string(gbk(t, zhHTML)) {
		t.Errorf("Read: Truncated %q body %q", r.Truncated, r.Body)
	}
}

func TestTruncatedGzipBody(t *testing.T) {
	w := newWriter(t, Config{})
	full := noise(20000, 1)
	gz := gzipped(t, full)
	ex := exchange("http://news.example/big", 200, gz[:len(gz)/2], "Content-Encoding", "gzip")
	ex.Truncated = "length"
	r := mustRead(t, w.cfg.Dir, mustWrite(t, w, ex))
	if len(r.Body) == 0 || len(r.Body) >= len(full) || !bytes.Equal(r.Body, full[:len(r.Body)]) {
		t.Errorf("truncated body: got %d bytes, want a prefix of the %d", len(r.Body), len(full))
	}
	// The same cut without WARC-Truncated is corrupt.
	ex.Truncated = ""
	if _, err := Read(w.cfg.Dir, mustWrite(t, w, ex)); err == nil {
		t.Error("Read of a cut gzip body without WARC-Truncated: no error")
	}
}

func TestRotation(t *testing.T) {
	const max = 64 << 10
	w := newWriter(t, Config{MaxFileSize: max, Prefix: "rot", Software: "newsarc-test/1.0"})
	type written struct {
		ex *Exchange
		c  store.Capture
	}
	var all []written
	for i := range 12 {
		body := noise(10<<10, uint64(i))
		if i == 5 {
			body = noise(3*max, 99) // larger than a whole file
		}
		ex := exchange(fmt.Sprintf("http://news.example/r/%d", i), 200, body, "Content-Type", "application/octet-stream")
		all = append(all, written{ex, mustWrite(t, w, ex)})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, x := range all {
		files[x.c.File] = true
		r := mustRead(t, w.cfg.Dir, x.c)
		if !bytes.Equal(r.Body, x.ex.Body) {
			t.Errorf("%s: body differs", x.ex.URL)
		}
	}
	if len(files) < 3 {
		t.Errorf("%d files, want rotation into at least 3", len(files))
	}
	names := dirNames(t, w.cfg.Dir)
	if len(names) != len(files) {
		t.Errorf("directory has %q, captures name %d files", names, len(files))
	}
	for _, name := range names {
		if !regexp.MustCompile(`^rot-\d{14}-\d{5}\.warc\.gz$`).MatchString(name) {
			t.Errorf("file name %q", name)
		}
		path := filepath.Join(w.cfg.Dir, name)
		recs := records(t, path)
		first := recs[0].WarcRecord
		if first.Type() != gowarc.Warcinfo || first.WarcHeader().Get(gowarc.WarcFilename) != name {
			t.Errorf("%s starts with %v for %q", name, first.Type(), first.WarcHeader().Get(gowarc.WarcFilename))
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > max && len(recs) != 3 {
			t.Errorf("%s: %d bytes in %d records; only a file of one oversized exchange may pass %d", name, fi.Size(), len(recs), max)
		}
	}
}

func TestConcurrentWriters(t *testing.T) {
	w := newWriter(t, Config{MaxFileSize: 32 << 10})
	const workers, each = 8, 25
	var mu sync.Mutex
	caps := map[string]store.Capture{}
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				url := fmt.Sprintf("http://news.example/c/%d/%d", g, i)
				body := append([]byte(url+" "), noise(1000+100*i, uint64(g*each+i))...)
				c, err := w.Write(context.Background(), exchange(url, 200, body, "Content-Type", "text/plain"))
				if err != nil {
					t.Error(err)
					return
				}
				// Read it back at once, from the file being written.
				if r, err := Read(w.cfg.Dir, c); err != nil || r.URL != url {
					t.Errorf("Read %s during writes: %v", url, err)
				}
				mu.Lock()
				caps[url] = c
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(caps) != workers*each {
		t.Fatalf("%d captures, want %d", len(caps), workers*each)
	}
	places := map[string]bool{}
	for url, c := range caps {
		place := fmt.Sprintf("%s@%d", c.File, c.Offset)
		if places[place] {
			t.Errorf("two captures at %s", place)
		}
		places[place] = true
		r := mustRead(t, w.cfg.Dir, c)
		if r.URL != url || !bytes.HasPrefix(r.Body, []byte(url+" ")) {
			t.Errorf("%s: read back %s", url, r.URL)
		}
	}
	entries, err := Index(w.cfg.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != workers*each {
		t.Errorf("Index: %d entries, want %d", len(entries), workers*each)
	}
	for _, e := range entries {
		if caps[e.URL] != e.Capture {
			t.Errorf("Index %s: %+v, Write said %+v", e.URL, e.Capture, caps[e.URL])
		}
	}
}

func TestRevisit(t *testing.T) {
	w := newWriter(t, Config{})
	url := "http://news.example/a/rev.html"
	orig := exchange(url, 200, []byte("<p>first</p>"), "Content-Type", "text/html", "ETag", `"v1"`)
	oc := mustWrite(t, w, orig)

	nm := exchange(url, 304, nil, "ETag", `"v1"`)
	nm.RequestHeader.Set("If-None-Match", `"v1"`)
	nm.Date = when.Add(24 * time.Hour)
	rc, err := w.WriteRevisit(context.Background(), nm, oc)
	if err != nil {
		t.Fatalf("WriteRevisit: %v", err)
	}
	if rc.Status != 304 || rc.Type != "text/html" || rc.RecordID == oc.RecordID || rc.Offset <= oc.Offset {
		t.Errorf("revisit capture %+v", rc)
	}
	r := mustRead(t, w.cfg.Dir, rc)
	if r.StatusCode != 304 || r.RefersTo != oc.RecordID || r.RefersToURI != url || !r.RefersToDate.Equal(when) || string(r.Body) != "<p>first</p>" {
		t.Errorf("Read revisit: %d refers to %q %q %v, body %q (want the earlier one)", r.StatusCode, r.RefersTo, r.RefersToURI, r.RefersToDate, r.Body)
	}
	if r.Header.Get("ETag") != `"v1"` {
		t.Errorf("revisit ETag %q", r.Header.Get("ETag"))
	}

	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs := records(t, filepath.Join(w.cfg.Dir, rc.File))
	var rev gowarc.WarcRecord
	for _, rec := range recs {
		if rec.Offset == rc.Offset {
			rev = rec.WarcRecord
		}
	}
	if rev == nil || rev.Type() != gowarc.Revisit {
		t.Fatalf("no revisit record at %d", rc.Offset)
	}
	if p := rev.WarcHeader().Get(gowarc.WarcProfile); p != gowarc.ProfileServerNotModifiedV1_1 {
		t.Errorf("WARC-Profile %q", p)
	}

	entries, err := Index(w.cfg.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[1].RefersTo != oc.RecordID || entries[1].Capture != rc {
		t.Fatalf("Index: %+v", entries)
	}
	e, err := Lookup(entries, url, nm.Date)
	if err != nil || e.Capture != oc {
		t.Errorf("Lookup at the revisit: %+v, %v; want the original %+v", e, err, oc)
	}

	// A revisit of a capture this directory does not have still records
	// what it refers to.
	w2 := newWriter(t, Config{})
	far := store.Capture{File: "elsewhere.warc.gz", Offset: 42, RecordID: "<urn:uuid:00000000-0000-4000-8000-000000000000>", Status: 200, Type: "text/html"}
	c2, err := w2.WriteRevisit(context.Background(), nm, far)
	if err != nil {
		t.Fatalf("WriteRevisit of a foreign capture: %v", err)
	}
	if r := mustRead(t, w2.cfg.Dir, c2); r.RefersTo != far.RecordID || !r.RefersToDate.IsZero() {
		t.Errorf("foreign revisit refers to %q at %v", r.RefersTo, r.RefersToDate)
	}
}

func TestEscapeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://a.example/x?y=1#z", "http://a.example/x?y=1#z"},
		{"http://a.example/%E4%B8%AD?q=%20", "http://a.example/%E4%B8%AD?q=%20"},
		{"http://a.example/中?q=中 文", "http://a.example/%E4%B8%AD?q=%E4%B8%AD%20%E6%96%87"},
		{"http://a.example/a|b{c}\"", "http://a.example/a%7Cb%7Bc%7D%22"},
	}
	for _, tt := range tests {
		if got := EscapeURL(tt.in); got != tt.want {
			t.Errorf("EscapeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIndexLookup(t *testing.T) {
	w := newWriter(t, Config{})
	day := 24 * time.Hour
	write := func(url string, d time.Duration, status int) store.Capture {
		ex := exchange(url, status, []byte(url), "Content-Type", "text/html")
		ex.Date = when.Add(d)
		return mustWrite(t, w, ex)
	}
	zh := write("http://b.example/新闻?id=1", 0, 200)
	b2 := write("http://b.example/", 2*day, 200)
	a1 := write("http://a.example/", 1*day, 200)
	b1 := write("http://b.example/", 1*day, 200)
	a3 := write("http://a.example/", 3*day, 404)
	entries, err := Index(w.cfg.Dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Capture{a1, a3, b1, b2, zh}
	if len(entries) != len(want) {
		t.Fatalf("Index: %d entries, want %d", len(entries), len(want))
	}
	for i, e := range entries {
		if e.Capture != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, e.Capture, want[i])
		}
	}
	tests := []struct {
		name string
		url  string
		at   time.Time
		want store.Capture
		err  error
	}{
		{"latest", "http://a.example/", time.Time{}, a3, nil},
		{"exactly at", "http://b.example/", when.Add(day), b1, nil},
		{"between", "http://b.example/", when.Add(day + time.Hour), b1, nil},
		{"after all", "http://b.example/", when.Add(30 * day), b2, nil},
		{"before all", "http://a.example/", when, store.Capture{}, ErrNotFound},
		{"unknown URL", "http://c.example/", time.Time{}, store.Capture{}, ErrNotFound},
		{"unescaped URL", "http://b.example/新闻?id=1", time.Time{}, zh, nil},
		{"escaped URL", "http://b.example/%E6%96%B0%E9%97%BB?id=1", time.Time{}, zh, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Lookup(entries, tt.url, tt.at)
			if !errors.Is(err, tt.err) || e.Capture != tt.want {
				t.Errorf("Lookup(%s, %v) = %+v, %v; want %+v, %v", tt.url, tt.at, e.Capture, err, tt.want, tt.err)
			}
		})
	}
}

func TestCrashLeavesOpenFile(t *testing.T) {
	dir := t.TempDir()
	w := newWriter(t, Config{Dir: dir})
	c1 := mustWrite(t, w, exchange("http://news.example/1", 200, []byte("one")))
	c2 := mustWrite(t, w, exchange("http://news.example/2", 200, []byte("two")))

	// A copy of the open file, cut in the middle of its last record, as a
	// crash might leave it.
	crashed := t.TempDir()
	raw, err := os.ReadFile(filepath.Join(dir, c1.File+OpenExt))
	if err != nil {
		t.Fatalf("open file: %v", err)
	}
	cut := raw[:c2.Offset+20]
	if err := os.WriteFile(filepath.Join(crashed, c1.File+OpenExt), cut, 0o644); err != nil {
		t.Fatal(err)
	}
	entries, err := Index(crashed)
	if err != nil {
		t.Fatalf("Index of a crashed directory: %v", err)
	}
	if len(entries) != 1 || entries[0].Capture != (store.Capture{File: c1.File, Offset: c1.Offset, RecordID: c1.RecordID, Status: 200}) {
		t.Errorf("Index of a crashed directory: %+v", entries)
	}
	if r := mustRead(t, crashed, c1); string(r.Body) != "one" {
		t.Errorf("Read from the open file: %q", r.Body)
	}

	// The same damage in a finished file is an error.
	if err := os.Rename(filepath.Join(crashed, c1.File+OpenExt), filepath.Join(crashed, c1.File)); err != nil {
		t.Fatal(err)
	}
	if _, err := Index(crashed); err == nil {
		t.Error("Index of a cut finished file: no error")
	}
}

func TestErrors(t *testing.T) {
	w := newWriter(t, Config{})
	ok := exchange("http://news.example/ok", 200, []byte("ok"))
	c := mustWrite(t, w, ok)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.Write(ctx, ok); !errors.Is(err, context.Canceled) {
		t.Errorf("Write with a cancelled context: %v", err)
	}
	for _, bad := range []*Exchange{
		nil,
		exchange("/relative", 200, nil),
		exchange("http://news.example/", 0, nil),
	} {
		if _, err := w.Write(context.Background(), bad); err == nil {
			t.Errorf("Write(%+v): no error", bad)
		}
	}
	if _, err := w.WriteRevisit(context.Background(), nil, c); err == nil {
		t.Error("WriteRevisit(nil): no error")
	}
	if _, err := w.WriteRevisit(context.Background(), ok, store.Capture{}); err == nil {
		t.Error("WriteRevisit without a record ID: no error")
	}

	wrongID := c
	wrongID.RecordID = "<urn:uuid:00000000-0000-4000-8000-000000000000>"
	if _, err := Read(w.cfg.Dir, wrongID); !errors.Is(err, ErrMismatch) {
		t.Errorf("Read with a wrong record ID: %v", err)
	}
	wrongOffset := c
	wrongOffset.Offset = 0 // the warcinfo record
	wrongOffset.RecordID = ""
	if _, err := Read(w.cfg.Dir, wrongOffset); !errors.Is(err, ErrMismatch) {
		t.Errorf("Read of the warcinfo record: %v", err)
	}
	for _, name := range []string{"missing.warc.gz", "../" + c.File, ""} {
		if _, err := Read(w.cfg.Dir, store.Capture{File: name}); !errors.Is(err, ErrNotFound) {
			t.Errorf("Read(%q): %v, want ErrNotFound", name, err)
		}
	}

	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := w.Write(context.Background(), ok); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	if _, err := NewWriter(Config{}); err == nil {
		t.Error("NewWriter without a directory: no error")
	}
}

// TestWarcio checks the files with an independent reader, Python's warcio,
// through scripts/warcio: every record's digests pass, and its index lists
// every record at the offsets Write reported.
func TestWarcio(t *testing.T) {
	script, err := filepath.Abs("../../scripts/warcio")
	if err != nil {
		t.Fatal(err)
	}
	unavailable := func(err error) {
		if os.Getenv("NEWSARC_REQUIRE_WARCIO") == "1" {
			t.Fatalf("NEWSARC_REQUIRE_WARCIO=1 but warcio is unavailable: %v", err)
		}
		t.Skipf("skipping: warcio is unavailable: %v (set NEWSARC_REQUIRE_WARCIO=1 to fail instead)", err)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		unavailable(err)
	}
	// The first run installs warcio into a venv.
	if out, err := exec.Command(script, "--version").CombinedOutput(); err != nil {
		unavailable(fmt.Errorf("scripts/warcio --version: %v\n%s", err, out))
	}

	w := newWriter(t, Config{MaxFileSize: 48 << 10})
	type want struct {
		typ string
		url string
	}
	wantAt := map[string]map[int64]want{} // file → offset → record
	note := func(c store.Capture, typ, url string) {
		if wantAt[c.File] == nil {
			wantAt[c.File] = map[int64]want{}
		}
		wantAt[c.File][c.Offset] = want{typ, url}
	}
	html := []byte(strings.Repeat("<p>news</p>", 300))
	exs := []*Exchange{
		exchange("http://news.example/w/1", 200, html, "Content-Type", "text/html"),
		exchange("http://news.example/w/2", 200, gzipped(t, html), "Content-Type", "text/html", "Content-Encoding", "gzip"),
		exchange("http://news.example.cn/w/3", 200, gbk(t, zhHTML), "Content-Type", "text/html; charset=GBK"),
		exchange("http://news.example/w/4", 200, noise(100<<10, 4), "Content-Type", "image/jpeg"),
		exchange("http://news.example/w/5", 404, []byte("gone"), "Content-Type", "text/plain"),
	}
	var orig store.Capture
	for i, ex := range exs {
		c := mustWrite(t, w, ex)
		note(c, "response", ex.URL)
		if i == 0 {
			orig = c
		}
	}
	nm := exchange(exs[0].URL, 304, nil)
	rc, err := w.WriteRevisit(context.Background(), nm, orig)
	if err != nil {
		t.Fatal(err)
	}
	note(rc, "revisit", nm.URL)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(wantAt) < 2 {
		t.Errorf("records went to %d file(s); want rotation", len(wantAt))
	}

	for _, name := range dirNames(t, w.cfg.Dir) {
		path := filepath.Join(w.cfg.Dir, name)
		out := runWarcio(t, script, "check", "-v", path)
		if strings.Contains(out, "fail") || strings.Contains(out, "exception") {
			t.Errorf("warcio check %s:\n%s", name, out)
		}
		if n := strings.Count(out, "digest pass"); n < 2 {
			t.Errorf("warcio check %s: %d digests passed:\n%s", name, n, out)
		}

		ours := records(t, path)
		out = runWarcio(t, script, "index", "-f", "offset,warc-type,warc-target-uri,warc-record-id,http:status", path)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != len(ours) {
			t.Errorf("warcio index %s: %d records, gowarc reads %d:\n%s", name, len(lines), len(ours), out)
		}
		seen := map[int64]bool{}
		for i, line := range lines {
			var got struct {
				Offset string `json:"offset"`
				Type   string `json:"warc-type"`
				URI    string `json:"warc-target-uri"`
				ID     string `json:"warc-record-id"`
				Status string `json:"http:status"`
			}
			if err := jsonUnmarshal(line, &got); err != nil {
				t.Fatalf("warcio index line %q: %v", line, err)
			}
			var off int64
			fmt.Sscan(got.Offset, &off)
			seen[off] = true
			if i < len(ours) && (ours[i].Offset != off || bracket(ours[i].WarcRecord.RecordId()) != got.ID) {
				t.Errorf("%s record %d: warcio at %d %s, gowarc at %d %s", name, i, off, got.ID, ours[i].Offset, ours[i].WarcRecord.RecordId())
			}
			if wt, ok := wantAt[name][off]; ok && (wt.typ != got.Type || wt.url != got.URI) {
				t.Errorf("%s@%d: warcio sees %s %s, want %s %s", name, off, got.Type, got.URI, wt.typ, wt.url)
			}
			if i == 0 && got.Type != "warcinfo" {
				t.Errorf("%s starts with %s", name, got.Type)
			}
		}
		for off, wt := range wantAt[name] {
			if !seen[off] {
				t.Errorf("%s: warcio lists no record at %d (%s %s)", name, off, wt.typ, wt.url)
			}
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	body := bytes.Repeat([]byte("<p>新华社北京2月18日电 news text for the benchmark.</p>\n"), 600) // ~40 KB
	ex := exchange("http://news.example/bench", 200, body, "Content-Type", "text/html; charset=utf-8")
	b.Run("serial", func(b *testing.B) {
		w := newWriter(b, Config{MaxFileSize: 64 << 20})
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := w.Write(context.Background(), ex); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		w := newWriter(b, Config{MaxFileSize: 64 << 20})
		b.SetBytes(int64(len(body)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := w.Write(context.Background(), ex); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// runWarcio runs scripts/warcio with args and returns its standard output;
// a failure (non-zero exit) fails the test.
func runWarcio(t testing.TB, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command(script, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/warcio %s: %v\n%s\n%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
