package warc

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	gowarc "github.com/nlnwa/gowarc/v3"

	"newsarc/store"
)

// Response is an HTTP response as stored at a capture.
type Response struct {
	URL      string    // WARC-Target-URI
	Date     time.Time // WARC-Date
	RecordID string    // WARC-Record-ID, <urn:uuid:…>
	IP       string    // WARC-IP-Address, "" when not recorded

	Proto      string      // "HTTP/1.1"
	StatusCode int         // 200
	Status     string      // "200 OK"
	Header     http.Header // as stored, less Content-Encoding and Content-Length when ContentEncoding is set
	// Body is the payload with its Content-Encoding undone. For a coding
	// Read does not know, Body is the stored bytes and Header keeps its
	// Content-Encoding.
	Body []byte
	// ContentEncoding names the codings undone to get Body ("gzip"), ""
	// when the body was stored as it is.
	ContentEncoding string
	// Truncated is the record's WARC-Truncated ("length"), "" when the
	// body is complete. Decoding a truncated body keeps what decoded.
	Truncated string

	// For a revisit record (a 304 that did not repeat the body): the
	// WARC-Refers-To record ID, target URI and date of the earlier
	// capture; see Lookup, which follows it.
	RefersTo     string
	RefersToURI  string
	RefersToDate time.Time
}

// Read returns the HTTP response stored at c in the WARC files under dir:
// status, headers, and the body with its Content-Encoding undone. A
// capture in a file that is still being written is found under its open
// name. For a revisit record, the status and headers are the revisit's
// and the body is that of the capture it refers to (RefersTo), found
// through the CDXJ index or, for a file still being written, by scanning
// dir; when that capture is not in dir, the body is empty. It returns
// ErrNotFound when the file does not exist, and ErrMismatch when the
// record there is not c's response or revisit record.
func Read(dir string, c store.Capture) (*Response, error) {
	resp, err := readResponse(dir, c)
	if err != nil {
		return nil, fmt.Errorf("warc: read %s@%d: %w", c.File, c.Offset, err)
	}
	if resp.RefersTo == "" {
		return resp, nil
	}
	ref, err := findRecord(dir, bracket(resp.RefersTo))
	if errors.Is(err, ErrNotFound) {
		return resp, nil
	}
	if err != nil {
		return nil, fmt.Errorf("warc: read %s@%d: revisit: %w", c.File, c.Offset, err)
	}
	orig, err := readResponse(dir, ref)
	if err != nil {
		return nil, fmt.Errorf("warc: read %s@%d: revisited %s@%d: %w", c.File, c.Offset, ref.File, ref.Offset, err)
	}
	resp.Body, resp.ContentEncoding = orig.Body, orig.ContentEncoding
	if orig.ContentEncoding != "" {
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
	}
	if resp.Truncated == "" {
		resp.Truncated = orig.Truncated
	}
	return resp, nil
}

func readResponse(dir string, c store.Capture) (*Response, error) {
	var resp *Response
	err := readRecord(dir, c, func(rec gowarc.WarcRecord) error {
		var err error
		resp, err = response(rec)
		return err
	})
	return resp, err
}

// findRecord locates the response or revisit record id (in angle
// brackets) in dir: in the CDXJ index, else by scanning every file.
func findRecord(dir, id string) (store.Capture, error) {
	lines, err := loadIndex(dir, DefaultIndex, false, nil)
	if err == nil {
		for _, l := range lines {
			if l.RecordID == id {
				off, _ := strconv.ParseInt(l.Offset, 10, 64)
				return store.Capture{File: l.Filename, Offset: off, RecordID: id}, nil
			}
		}
	}
	entries, err := Index(dir)
	if err != nil {
		return store.Capture{}, err
	}
	for _, e := range entries {
		if e.Capture.RecordID == id {
			return e.Capture, nil
		}
	}
	return store.Capture{}, fmt.Errorf("%w: record %s", ErrNotFound, id)
}

// readRecord parses the record at c and hands it to fn before closing it.
func readRecord(dir string, c store.Capture, fn func(gowarc.WarcRecord) error) error {
	f, err := openCapture(dir, c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return readRecordAt(f, fi.Size(), c.Offset, c.RecordID, nil, func(rec gowarc.WarcRecord, _ []error) error {
		return fn(rec)
	})
}

// readRecordAt parses the record at offset off of r (size bytes long),
// checks that its ID is id (unless id is ""), and hands it to fn with the
// validation findings (digests that do not match, syntax faults) before
// closing it; opts are the unmarshaler's. A panic of the WARC library on
// malformed bytes becomes an error wrapping ErrMismatch.
func readRecordAt(r io.ReaderAt, size, off int64, id string, opts []gowarc.WarcRecordOption, fn func(gowarc.WarcRecord, []error) error) (err error) {
	if off < 0 || off >= size {
		return fmt.Errorf("%w: offset %d outside the file (%d bytes)", ErrMismatch, off, size)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %w: unreadable record: panic: %v", ErrMismatch, store.ErrCorrupt, p)
		}
	}()
	rec, _, validation, err := newUnmarshaler(opts...).Unmarshal(bufio.NewReader(io.NewSectionReader(r, off, size-off)))
	if err != nil {
		// Damaged, or not the start of a record.
		return fmt.Errorf("%w: %w: %w", ErrMismatch, store.ErrCorrupt, err)
	}
	defer rec.Close()
	if id != "" && rec.RecordId() != strings.Trim(id, "<>") {
		return fmt.Errorf("%w: record %s, capture names %s", ErrMismatch, rec.RecordId(), id)
	}
	return fn(rec, validation)
}

// openCapture opens a WARC file of dir by its final name, or by its open
// name while it is still being written.
func openCapture(dir, name string) (*os.File, error) {
	if name == "" || name != filepath.Base(name) || name == "." || name == ".." {
		return nil, fmt.Errorf("%w: bad file name %q", ErrNotFound, name)
	}
	path := filepath.Join(dir, name)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.Open(path + OpenExt)
		if errors.Is(err, fs.ErrNotExist) {
			// Renamed between the two opens: the file is finished now.
			f, err = os.Open(path)
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	return f, err
}

// response turns a response or revisit record into a Response.
func response(rec gowarc.WarcRecord) (*Response, error) {
	t := rec.Type()
	if t != gowarc.Response && t != gowarc.Revisit {
		return nil, fmt.Errorf("%w: a %s record", ErrMismatch, t)
	}
	h := rec.WarcHeader()
	r := &Response{
		URL:       h.Get(gowarc.WarcTargetURI),
		RecordID:  bracket(rec.RecordId()),
		IP:        h.Get(gowarc.WarcIPAddress),
		Truncated: h.Get(gowarc.WarcTruncated),
	}
	r.Date, _ = rec.Date()
	if t == gowarc.Revisit {
		r.RefersTo = h.Get(gowarc.WarcRefersTo)
		r.RefersToURI = h.Get(gowarc.WarcRefersToTargetURI)
		r.RefersToDate, _ = h.GetTime(gowarc.WarcRefersToDate)
	}
	hb, ok := rec.Block().(gowarc.ProtocolHeaderBlock)
	if !ok {
		return nil, fmt.Errorf("%w: %s record without an HTTP block", ErrMismatch, t)
	}
	if err := parseHead(hb.ProtocolHeaderBytes(), r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMismatch, err)
	}
	if pb, ok := rec.Block().(gowarc.PayloadBlock); ok && t == gowarc.Response {
		pr, err := pb.PayloadBytes()
		if err != nil {
			return nil, err
		}
		if r.Body, err = io.ReadAll(pr); err != nil {
			return nil, err
		}
	}
	if err := decode(r); err != nil {
		return nil, err
	}
	return r, nil
}

// parseHead parses an HTTP response's status line and header fields.
func parseHead(head []byte, r *Response) error {
	hr, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), nil)
	if err != nil {
		return fmt.Errorf("parse HTTP header: %w", err)
	}
	r.Proto, r.StatusCode, r.Status, r.Header = hr.Proto, hr.StatusCode, hr.Status, hr.Header
	return nil
}

// decode undoes r.Body's Content-Encoding, last coding first.
func decode(r *Response) error {
	ce := r.Header.Get("Content-Encoding")
	if ce == "" || len(r.Body) == 0 {
		return nil
	}
	var codings []string
	for _, c := range strings.Split(ce, ",") {
		if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
			codings = append(codings, c)
		}
	}
	body := r.Body
	for i := len(codings) - 1; i >= 0; i-- {
		out, err := decodeOne(codings[i], body)
		if errors.Is(err, errUnknownCoding) {
			return nil // leave Body and Header as stored
		}
		if err != nil && !(r.Truncated != "" && errors.Is(err, io.ErrUnexpectedEOF)) {
			return fmt.Errorf("undo Content-Encoding %s: %w", codings[i], err)
		}
		body = out
	}
	r.Body = body
	r.ContentEncoding = strings.Join(codings, ", ")
	r.Header.Del("Content-Encoding")
	r.Header.Del("Content-Length")
	return nil
}

var errUnknownCoding = errors.New("unknown content coding")

// decodeOne undoes one content coding. On a body cut short it returns what
// decoded with io.ErrUnexpectedEOF.
func decodeOne(coding string, b []byte) ([]byte, error) {
	var zr io.Reader
	switch coding {
	case "gzip", "x-gzip":
		g, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		zr = g
	case "deflate":
		// Properly zlib-wrapped, but some servers send raw deflate.
		if z, err := zlib.NewReader(bytes.NewReader(b)); err == nil {
			zr = z
		} else {
			zr = flate.NewReader(bytes.NewReader(b))
		}
	case "br":
		zr = brotli.NewReader(bytes.NewReader(b))
	case "zstd":
		z, err := zstd.NewReader(bytes.NewReader(b), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		defer z.Close()
		zr = z
	default:
		return nil, errUnknownCoding
	}
	out, err := io.ReadAll(zr)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return out, err
}
