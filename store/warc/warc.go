// Package warc owns newsarc's raw-capture archive: every HTTP response the
// crawler receives, and the request that asked for it, is written as
// received to WARC/1.1 files under one directory, so that an archived
// article can be checked against, re-extracted from, or replayed as the
// bytes the server sent. store.Capture says where each response went (file,
// offset, record ID); Read brings it back, and Index and Lookup find the
// capture of a URL at a point in time for `newsarc replay`.
//
// The package leaves fetching to the crawler (it takes an Exchange the
// crawler has already read, and has no HTTP client of its own), and article
// records to the store backends.
//
// # Files
//
// Files are named <prefix>-<UTC yyyyMMddHHmmss>-<serial>.warc.gz and each
// starts with a warcinfo record. Every record is its own gzip member, so a
// reader can seek to a record's offset and decompress just that record
// (the usual .warc.gz layout that pywb, warcio and Heritrix read). A file
// is written under its name plus ".open" and renamed when it is full
// (Config.MaxFileSize) or the Writer is closed; a crash leaves a
// recognisable *.warc.gz.open file whose records up to the last complete
// one are readable. Files are fsync'd when they are closed, not per record.
//
// Each fetch becomes a response record followed by its request record,
// linked both ways by WARC-Concurrent-To, with WARC-Block-Digest and
// WARC-Payload-Digest in sha1 base32, and WARC-Truncated when the crawler
// cut the body short. A fetch that repeats an earlier capture of its URL
// (a 304 answer, or the same body again) becomes a revisit record instead
// of a response record (see revisit.go), and a CDXJ index of the finished
// files is kept beside them (see cdxj.go).
//
// The warcinfo record at the start of each file names the software and its
// version (Config.Software), the operator (Config.Operator), the collection
// (isPartOf: Config.IsPartOf), the format and the specification it
// conforms to, and the host it was written on.
//
// The HTTP header blocks are reconstructed from what Go's net/http parsed:
// the status or request line, then the header fields in Go's canonical
// case (Content-Type, not content-type) and sorted by name, because Go
// keeps neither the case nor the order the server sent. Transfer-Encoding
// is left out, since net/http has already removed the chunking from the
// body. The body bytes are stored as they came off the wire, still
// Content-Encoded if the server compressed them; Read undoes that.
//
// # Library
//
// Records are built, serialised and parsed with github.com/nlnwa/gowarc/v3
// (the National Library of Norway's WARC library, behind its Veidemann
// crawler). It is maintained (v3.1.0, March 2026; v2.2.4 in January), builds
// a record from bytes we already hold and computes its digests, parses the
// record at an offset and validates it, and its dependencies (google/uuid,
// klauspost/compress, nlnwa/whatwg-url) were already in newsarc's module
// graph. The alternative, github.com/CorentinB/warc, has had no release on
// the module proxy since v0.8.33 (August 2023; Zeno has since moved to an
// Internet Archive fork the proxy here does not serve), requires a
// WARC-writing HTTP client with uTLS, SOCKS and pgzip dependencies we do
// not want, and reports no record offsets, neither when writing nor when
// reading. gowarc's own WarcFileWriter does report offsets, but it does not
// fsync a file before renaming it, its Close reports no errors, and it may
// put a response and its request in different files at a rotation; so this
// package writes gowarc's records itself, one gzip member each, and counts
// the bytes to know each record's offset. See gowarc.go for a data race in
// gowarc v3.1.0 and how it is avoided.
package warc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
	gowarc "github.com/nlnwa/gowarc/v3"

	"newsarc/store"
)

// Defaults for Config.
const (
	DefaultMaxFileSize = 1 << 30 // 1 GiB
	DefaultPrefix      = "newsarc"
	DefaultSoftware    = "newsarc"
	DefaultIndex       = "index.cdxj"
)

// File name suffixes: finished files end in Ext, files being written in
// Ext+OpenExt.
const (
	Ext     = ".warc.gz"
	OpenExt = ".open"
)

// ErrClosed is returned by Write and WriteRevisit after Close.
var ErrClosed = errors.New("warc: writer closed")

// ErrNotFound is returned by Read when the capture's file does not exist,
// and by Lookup when no capture of the URL fits.
var ErrNotFound = errors.New("warc: capture not found")

// ErrMismatch is returned by Read when the record at the capture's offset
// is not the one the capture names, or not an HTTP response.
var ErrMismatch = errors.New("warc: record does not match capture")

// Config says where and how the Writer writes.
type Config struct {
	Dir         string // directory of the WARC files; created if missing
	MaxFileSize int64  // a file is closed before a record would take it past this; default 1 GiB
	Prefix      string // file name prefix; default "newsarc"
	Software    string // the warcinfo record's "software" field, name and version; default "newsarc"
	Operator    string // the warcinfo "operator" field (a contact URL or address); left out when ""
	IsPartOf    string // the warcinfo "isPartOf" field (the collection); default "newsarc"
	// Worker, when set, names the crawl worker that writes the files (one
	// of many crawling together): it goes into the warcinfo record as the
	// "newsarc-worker" field. The caller puts it in Prefix too.
	Worker string
	// Index is the name of the CDXJ index kept in Dir; default "index.cdxj".
	Index string
	// MinFree is the space the Writer leaves free on the disk of Dir: a
	// write that would go below it fails with a store.DiskFullError
	// before any byte of it is written. Zero means store.DefaultMinFree;
	// negative turns the check off.
	MinFree int64
}

// DefaultConfig returns the defaults, with Dir left empty.
func DefaultConfig() Config {
	return Config{MaxFileSize: DefaultMaxFileSize, Prefix: DefaultPrefix, Software: DefaultSoftware,
		IsPartOf: DefaultPrefix, Index: DefaultIndex, MinFree: store.DefaultMinFree}
}

// Exchange is one HTTP fetch as received.
type Exchange struct {
	URL            string      // the request URL, absolute; stored as EscapeURL makes it
	Method         string      // default GET
	RequestHeader  http.Header // as sent; Host is added from URL when missing
	RequestProto   string      // default HTTP/1.1
	StatusCode     int         // required
	Status         string      // "200 OK" (as in http.Response) or "OK"; default from StatusCode
	ResponseProto  string      // default HTTP/1.1
	ResponseHeader http.Header // as received
	// Body holds the body bytes as received on the wire: still
	// Content-Encoded if the server compressed it, but no longer chunked.
	Body []byte
	IP   string    // the server's address, "ip" or "ip:port"; optional
	Date time.Time // when the response arrived; default now
	// Truncated is "length" when the body was cut at the size limit
	// (written as WARC-Truncated), else "". WARC 1.1's other reasons
	// ("time", "disconnect", "unspecified") are kept; anything else is
	// written as "unspecified".
	Truncated string
}

// Writer appends exchanges to rotating WARC files. It is safe for
// concurrent use: records are built and digested in the caller's
// goroutine, then compressed and written one exchange at a time.
type Writer struct {
	cfg  Config
	opts []gowarc.WarcRecordOption

	mu     sync.Mutex
	closed bool
	f      *os.File // the open file, nil between files
	name   string   // its final name (without OpenExt)
	size   int64    // bytes written to it
	info   int64    // bytes of its warcinfo record
	infoID string   // its warcinfo record's ID
	buf    bytes.Buffer
	gz     *gzip.Writer
	copied []byte // marshal's copy buffer
	// indexErr is the first failure to update the CDXJ index, which Close
	// reports; the WARC files are complete regardless.
	indexErr error
	// known are the index entries of the open file's captures, as written:
	// the index takes them when the file is finished, without reading the
	// file back. unknown: a capture's entry could not be made, and the
	// file is read instead. firstLen is the length of the first gzip
	// member encode made.
	known    []Entry
	unknown  bool
	firstLen int64

	seedOnce sync.Once
	priors   map[string]prior // by WARC-Target-URI; see revisit.go
}

// serial numbers files across all Writers of the process, so that two
// Writers on one directory do not pick the same name in the same second.
var serial atomic.Int64

// NewWriter returns a Writer for cfg, creating cfg.Dir if needed. The first
// file is created on the first write.
func NewWriter(cfg Config) (*Writer, error) {
	if cfg.Dir == "" {
		return nil, errors.New("warc: no directory")
	}
	d := DefaultConfig()
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = d.MaxFileSize
	}
	if cfg.Prefix == "" {
		cfg.Prefix = d.Prefix
	}
	if cfg.Software == "" {
		cfg.Software = d.Software
	}
	if cfg.MinFree == 0 {
		cfg.MinFree = d.MinFree
	}
	if cfg.IsPartOf == "" {
		cfg.IsPartOf = d.IsPartOf
	}
	if cfg.Index == "" {
		cfg.Index = d.Index
	}
	if strings.ContainsAny(cfg.Index, `/\`) {
		return nil, fmt.Errorf("warc: index name %q has a path separator", cfg.Index)
	}
	if strings.ContainsAny(cfg.Prefix, `/\`) {
		return nil, fmt.Errorf("warc: prefix %q has a path separator", cfg.Prefix)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("warc: create directory: %w", err)
	}
	gz, err := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	if err != nil {
		return nil, fmt.Errorf("warc: gzip writer: %w", err)
	}
	return &Writer{cfg: cfg, opts: recordOptions(), gz: gz, copied: make([]byte, 32<<10)}, nil
}

// Write appends a response record and its request record (WARC-Concurrent-To
// linking them) and returns the response record's place. It returns
// ErrClosed after Close, ctx.Err() when ctx is done before writing, and a
// store.DiskFullError when the disk is full or the write would leave less
// than Config.MinFree free (the file then ends with its last complete
// record).
func (w *Writer) Write(ctx context.Context, ex *Exchange) (store.Capture, error) {
	return w.write(ctx, ex)
}

// Record is Write: it makes a Writer the crawler's Recorder.
func (w *Writer) Record(ctx context.Context, ex *Exchange) (store.Capture, error) {
	return w.write(ctx, ex)
}

func (w *Writer) write(ctx context.Context, ex *Exchange) (store.Capture, error) {
	if err := ctx.Err(); err != nil {
		return store.Capture{}, err
	}
	f, err := prepare(ex)
	if err != nil {
		return store.Capture{}, err
	}
	digest := payloadDigest(ex.Body)
	if p, profile, ok := w.revisitOf(f, ex, digest); ok {
		return w.writeRevisit(f, p, profile)
	}
	resp, err := w.build(gowarc.Response, f, func(rb gowarc.WarcRecordBuilder) {
		if f.truncated != "" {
			rb.AddWarcHeader(gowarc.WarcTruncated, f.truncated)
		}
	}, responseBlock(f, ex.Body))
	if err != nil {
		return store.Capture{}, fmt.Errorf("warc: response record for %s: %w", ex.URL, err)
	}
	defer resp.Close()
	req, err := w.build(gowarc.Request, f, nil, requestBlock(f))
	if err != nil {
		return store.Capture{}, fmt.Errorf("warc: request record for %s: %w", ex.URL, err)
	}
	defer req.Close()
	link(resp, req)
	c, err := w.append(resp, req)
	if err != nil {
		return store.Capture{}, fmt.Errorf("warc: write %s: %w", ex.URL, store.DiskFull(w.cfg.Dir, err))
	}
	c.Status = f.code
	c.Type = f.respHeader.Get("Content-Type")
	if f.truncated == "" && f.code != http.StatusNotModified {
		w.remember(f.url, prior{id: c.RecordID, uri: f.url, date: f.date, digest: digest, typ: c.Type, status: f.code})
	}
	return c, nil
}

// WriteRevisit appends a revisit record (profile server-not-modified) for a
// 304 answer, referring to the earlier capture refersTo, and its request
// record; it returns the revisit record's place. The record holds the 304's
// status line and headers; ex.Body is not stored. The capture's Type is
// refersTo.Type when the 304 has no Content-Type. WARC-Refers-To-Date,
// WARC-Refers-To-Target-URI and WARC-Payload-Digest are taken from the
// earlier record when it can be read from the Writer's directory, and left
// out otherwise.
func (w *Writer) WriteRevisit(ctx context.Context, ex *Exchange, refersTo store.Capture) (store.Capture, error) {
	if err := ctx.Err(); err != nil {
		return store.Capture{}, err
	}
	f, err := prepare(ex)
	if err != nil {
		return store.Capture{}, err
	}
	if refersTo.RecordID == "" {
		return store.Capture{}, fmt.Errorf("warc: revisit of %s: no record ID to refer to", ex.URL)
	}
	p := prior{id: bracket(refersTo.RecordID), typ: refersTo.Type}
	_ = readRecord(w.cfg.Dir, refersTo, func(rec gowarc.WarcRecord) error {
		p.date, _ = rec.Date()
		p.uri = rec.WarcHeader().Get(gowarc.WarcTargetURI)
		p.digest = rec.WarcHeader().Get(gowarc.WarcPayloadDigest)
		return nil
	})
	return w.writeRevisit(f, p, gowarc.ProfileServerNotModifiedV1_1)
}

// Close finishes the open file: it is synced, closed and renamed to its
// final name. Later writes return ErrClosed; Close is idempotent.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.finish(); err != nil {
		return fmt.Errorf("warc: close: %w", store.DiskFull(w.cfg.Dir, err))
	}
	if w.indexErr != nil {
		return fmt.Errorf("warc: close: %w", store.DiskFull(w.cfg.Dir, w.indexErr))
	}
	return nil
}

// fields is an Exchange checked and completed with its defaults.
type fields struct {
	url        string
	target     string // request-target: path and query
	host       string
	method     string
	reqProto   string
	reqHeader  http.Header
	code       int
	statusLine string
	respHeader http.Header
	ip         string
	date       time.Time
	truncated  string
}

func prepare(ex *Exchange) (*fields, error) {
	if ex == nil {
		return nil, errors.New("warc: nil exchange")
	}
	u, err := url.Parse(ex.URL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("warc: exchange URL %q is not absolute", ex.URL)
	}
	if ex.StatusCode < 100 || ex.StatusCode > 999 {
		return nil, fmt.Errorf("warc: exchange for %s: bad status code %d", ex.URL, ex.StatusCode)
	}
	f := &fields{
		url:        EscapeURL(u.String()),
		target:     EscapeURL(u.RequestURI()),
		host:       u.Host,
		method:     orDefault(ex.Method, http.MethodGet),
		reqProto:   orDefault(ex.RequestProto, "HTTP/1.1"),
		reqHeader:  ex.RequestHeader,
		code:       ex.StatusCode,
		respHeader: ex.ResponseHeader,
		date:       ex.Date,
	}
	if f.respHeader == nil {
		f.respHeader = http.Header{}
	}
	code := strconv.Itoa(ex.StatusCode)
	status := strings.TrimSpace(ex.Status)
	switch {
	case status == "":
		status = strings.TrimSpace(code + " " + http.StatusText(ex.StatusCode))
	case status != code && !strings.HasPrefix(status, code+" "):
		status = code + " " + status
	}
	f.statusLine = orDefault(ex.ResponseProto, "HTTP/1.1") + " " + status
	if f.date.IsZero() {
		f.date = time.Now()
	}
	f.ip = ex.IP
	if host, _, err := net.SplitHostPort(f.ip); err == nil {
		f.ip = host
	}
	if f.ip != "" && net.ParseIP(f.ip) == nil {
		f.ip = "" // a name or garbage is not an IP address; leave the field out
	}
	switch f.truncated = strings.ToLower(strings.TrimSpace(ex.Truncated)); f.truncated {
	case "", "length", "time", "disconnect", "unspecified":
	default:
		f.truncated = "unspecified" // WARC 1.1 names only these reasons
	}
	return f, nil
}

// EscapeURL percent-encodes the bytes of a URL that may not stand in a URI
// (RFC 3986) as they are: non-ASCII bytes (a Chinese path or query in
// UTF-8), controls, space, and the characters " < > \ ^ ` { | }.
// Everything else, existing escapes included, is left alone, so an escaped
// URL stays as it is. WARC-Target-URI and the request line are written this
// way, so Index reports URLs in this form; Lookup escapes the URL it is
// given likewise. (A non-ASCII host name would need IDNA instead; the
// crawler's URLs have ASCII hosts.)
func EscapeURL(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"<>\^`+"`"+`{|}`, c) >= 0 {
			if b.Len() == 0 {
				b.Grow(len(s) + 16)
				b.WriteString(s[:i])
			}
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		} else if b.Len() > 0 {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// skipHeaders are left out of the reconstructed header blocks: the body is
// stored de-chunked.
var skipHeaders = map[string]bool{"Transfer-Encoding": true}

// responseBlock is the HTTP response as a WARC block: status line,
// headers, blank line, body.
func responseBlock(f *fields, body []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(f.statusLine) + 512 + len(body))
	b.WriteString(f.statusLine)
	b.WriteString("\r\n")
	_ = f.respHeader.WriteSubset(&b, skipHeaders)
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// requestBlock is the HTTP request as a WARC block. The crawler's requests
// have no body.
func requestBlock(f *fields) []byte {
	var b bytes.Buffer
	b.WriteString(f.method + " " + f.target + " " + f.reqProto + "\r\n")
	h := f.reqHeader
	if h.Get("Host") == "" {
		h = h.Clone()
		if h == nil {
			h = http.Header{}
		}
		h.Set("Host", f.host)
	}
	_ = h.WriteSubset(&b, skipHeaders)
	b.WriteString("\r\n")
	return b.Bytes()
}

// build makes one record of type t for the fetch f with block as content;
// extra adds type-specific header fields.
func (w *Writer) build(t gowarc.RecordType, f *fields, extra func(gowarc.WarcRecordBuilder), block []byte) (gowarc.WarcRecord, error) {
	opts := append(w.opts[:len(w.opts):len(w.opts)], gowarc.WithBufferMaxMemBytes(int64(len(block))+1))
	rb := newBuilder(t, opts...)
	rb.AddWarcHeader(gowarc.WarcTargetURI, f.url)
	rb.AddWarcHeaderTime(gowarc.WarcDate, f.date)
	if f.ip != "" {
		rb.AddWarcHeader(gowarc.WarcIPAddress, f.ip)
	}
	if t == gowarc.Request {
		rb.AddWarcHeader(gowarc.ContentType, "application/http;msgtype=request")
	} else {
		rb.AddWarcHeader(gowarc.ContentType, "application/http;msgtype=response")
	}
	if extra != nil {
		extra(rb)
	}
	if _, err := rb.Write(block); err != nil {
		_ = rb.Close()
		return nil, err
	}
	rec, _, err := rb.Build()
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// link adds WARC-Concurrent-To to both records, naming the other.
func link(a, b gowarc.WarcRecord) {
	a.WarcHeader().AddId(gowarc.WarcConcurrentTo, b.RecordId())
	b.WarcHeader().AddId(gowarc.WarcConcurrentTo, a.RecordId())
}

// bracket returns id in angle brackets, as WARC-Record-ID values are written.
func bracket(id string) string {
	if strings.HasPrefix(id, "<") {
		return id
	}
	return "<" + id + ">"
}

// append writes the records, each as one gzip member, to the open file,
// rotating first when they would take it past MaxFileSize, and returns the
// first record's place.
func (w *Writer) append(recs ...gowarc.WarcRecord) (store.Capture, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return store.Capture{}, ErrClosed
	}
	if w.f == nil {
		if err := store.CheckSpace(w.cfg.Dir, infoSpace, w.cfg.MinFree); err != nil {
			return store.Capture{}, err
		}
		if err := w.create(); err != nil {
			return store.Capture{}, err
		}
	}
	if err := w.encode(recs); err != nil {
		return store.Capture{}, err
	}
	if w.size > w.info && w.size+int64(w.buf.Len()) > w.cfg.MaxFileSize {
		// Full: start the next file, whose warcinfo the records must name.
		if err := w.finish(); err != nil {
			return store.Capture{}, err
		}
		if err := store.CheckSpace(w.cfg.Dir, infoSpace, w.cfg.MinFree); err != nil {
			return store.Capture{}, err
		}
		if err := w.create(); err != nil {
			return store.Capture{}, err
		}
		if err := w.encode(recs); err != nil {
			return store.Capture{}, err
		}
	}
	if err := store.CheckSpace(w.cfg.Dir, int64(w.buf.Len()), w.cfg.MinFree); err != nil {
		return store.Capture{}, err
	}
	c := store.Capture{File: w.name, Offset: w.size, RecordID: bracket(recs[0].RecordId())}
	if err := w.writeBuf(); err != nil {
		return store.Capture{}, err
	}
	// The index entry is made from the record as it was written, by the
	// code that reads it back from a file (entry), after the write.
	if e, ok, err := entry(recs[0]); err != nil {
		w.unknown = true
	} else if ok {
		e.Capture.File, e.Capture.Offset, e.Length = c.File, c.Offset, w.firstLen
		w.known = append(w.known, e)
	}
	return c, nil
}

// infoSpace is what a new file's warcinfo record is given to need.
const infoSpace = 4 << 10

// encode compresses recs into w.buf, one gzip member each, naming the open
// file's warcinfo record.
func (w *Writer) encode(recs []gowarc.WarcRecord) error {
	w.buf.Reset()
	for i, r := range recs {
		if w.infoID != "" {
			r.WarcHeader().SetId(gowarc.WarcWarcinfoID, w.infoID)
		}
		w.gz.Reset(&w.buf)
		if err := marshal(w.gz, r, w.copied); err != nil {
			return fmt.Errorf("marshal %s record: %w", r.Type(), err)
		}
		if err := w.gz.Close(); err != nil {
			return fmt.Errorf("compress %s record: %w", r.Type(), err)
		}
		if i == 0 {
			w.firstLen = int64(w.buf.Len())
		}
	}
	return nil
}

// marshal writes rec as gowarc's Marshaler does (the version line, the
// header, a blank line, the block, two line ends), copying the block
// through buf: gowarc's io.Copy takes the block's io.MultiReader by its
// WriteTo, which allocates a 32 KiB buffer for every record.
func marshal(w io.Writer, rec gowarc.WarcRecord, buf []byte) error {
	if _, err := io.WriteString(w, fmt.Sprint(rec.Version())+"\r\n"); err != nil {
		return err
	}
	if _, err := rec.WarcHeader().Write(w); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\r\n"); err != nil {
		return err
	}
	block, err := rec.Block().RawBytes()
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(w, struct{ io.Reader }{block}, buf); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\r\n\r\n")
	return err
}

// writeBuf appends w.buf to the open file. After a failed or short write
// it cuts the file back to its last complete record and finishes it, so a
// broken member never sits between good ones.
func (w *Writer) writeBuf() error {
	n, err := w.f.Write(w.buf.Bytes())
	if err == nil {
		w.size += int64(n)
		return nil
	}
	err = fmt.Errorf("write %s: %w", w.name, err)
	if terr := w.f.Truncate(w.size); terr != nil {
		err = errors.Join(err, terr)
	} else if _, serr := w.f.Seek(w.size, 0); serr != nil {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, w.finish())
}

// create opens a new file under its open name and writes its warcinfo
// record.
func (w *Writer) create() error {
	now := time.Now().UTC()
	var f *os.File
	var name string
	for tries := 0; ; tries++ {
		name = fmt.Sprintf("%s-%s-%05d%s", w.cfg.Prefix, now.Format("20060102150405"), serial.Add(1), Ext)
		path := filepath.Join(w.cfg.Dir, name)
		if _, err := os.Lstat(path); err == nil {
			continue // a finished file of an earlier run has this name
		}
		var err error
		f, err = os.OpenFile(path+OpenExt, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || tries > 100 {
			return fmt.Errorf("create file: %w", err)
		}
	}
	w.f, w.name, w.size, w.info, w.infoID = f, name, 0, 0, ""

	rb := newBuilder(gowarc.Warcinfo, w.opts...)
	rb.AddWarcHeaderTime(gowarc.WarcDate, now)
	rb.AddWarcHeader(gowarc.WarcFilename, name)
	rb.AddWarcHeader(gowarc.ContentType, gowarc.ApplicationWarcFields)
	fmt.Fprintf(rb, "software: %s\r\n", oneLine(w.cfg.Software))
	if w.cfg.Operator != "" {
		fmt.Fprintf(rb, "operator: %s\r\n", oneLine(w.cfg.Operator))
	}
	fmt.Fprintf(rb, "isPartOf: %s\r\n", oneLine(w.cfg.IsPartOf))
	fmt.Fprintf(rb, "description: HTTP responses and requests as fetched by a news crawler\r\n")
	fmt.Fprintf(rb, "format: WARC File Format 1.1\r\n")
	fmt.Fprintf(rb, "conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n")
	if host, err := os.Hostname(); err == nil && host != "" {
		fmt.Fprintf(rb, "hostname: %s\r\n", host)
	}
	if w.cfg.Worker != "" {
		fmt.Fprintf(rb, "newsarc-worker: %s\r\n", oneLine(w.cfg.Worker))
	}
	info, _, err := rb.Build()
	if err == nil {
		defer info.Close()
		err = w.encode([]gowarc.WarcRecord{info})
	}
	if err == nil {
		err = w.writeBuf()
	}
	if err != nil {
		return errors.Join(fmt.Errorf("warcinfo record: %w", err), w.finish())
	}
	w.info, w.infoID = w.size, info.RecordId()
	return nil
}

// finish syncs, closes and renames the open file, if any.
func (w *Writer) finish() error {
	if w.f == nil {
		return nil
	}
	f, name := w.f, w.name
	known := map[string][]Entry{name: w.known}
	if w.unknown {
		known = nil // read back from the file
	}
	w.f, w.name, w.size, w.info, w.infoID = nil, "", 0, 0, ""
	w.known, w.unknown = nil, false
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	path := filepath.Join(filepath.Dir(f.Name()), name)
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("rename %s: %w", name, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return err
	}
	// The finished file joins the index, with the entries of its captures
	// as written; a failure is reported by Close, and the next update
	// indexes the file then.
	if _, err := loadIndex(w.cfg.Dir, w.cfg.Index, true, known); err != nil && w.indexErr == nil {
		w.indexErr = err
	}
	return nil
}

// oneLine makes s fit a warcinfo field: no line breaks.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}
