package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"time"

	"newsarc/store"
	"newsarc/store/warc"
)

// ErrTooLarge is returned for a response whose body, after any
// Content-Encoding is undone, exceeds Config.MaxBodySize. Compressed bombs
// end here too.
var ErrTooLarge = errors.New("crawler: response body too large")

// Exchange is one HTTP request and its response as they went over the
// wire, for the raw archive: the WARC writer's, so that a *warc.Writer is
// a Recorder as it is.
type Exchange = warc.Exchange

// Recorder keeps raw exchanges (a WARC writer) and says where each went.
type Recorder interface {
	Record(ctx context.Context, ex *Exchange) (store.Capture, error)
}

// pageNote is what fetchTransport learnt of a page colly fetches, for the
// page's callbacks: the response's header as received (colly is given the
// Content-Type's media type only, so that it does not re-encode a body
// whose header names a charset) and where the raw exchange was recorded.
type pageNote struct {
	header  http.Header
	capture store.Capture
}

// pageNotes hands pageNotes from the transport to the callbacks of the
// page, by the URL of the response colly is given (the last hop of a
// redirect chain). A run fetches a URL once at a time.
type pageNotes struct{ m sync.Map }

func (n *pageNotes) put(u string, note *pageNote) { n.m.Store(u, note) }

// take returns and forgets the note of u; nil when there is none.
func (n *pageNotes) take(u string) *pageNote {
	v, ok := n.m.LoadAndDelete(u)
	if !ok {
		return nil
	}
	return v.(*pageNote)
}

// bodyLimitKey marks a request whose body is cut at a limit rather than
// failed when longer (robots.txt: RFC 9309 reads the first 500 KiB).
type bodyLimitKey struct{}

func withBodyLimit(ctx context.Context, n int64) context.Context {
	return context.WithValue(ctx, bodyLimitKey{}, n)
}

// fetchTransport reads each response body whole, up to a limit, so an
// oversized or endless body fails with ErrTooLarge instead of being cut
// short silently (but for requests marked withBodyLimit, whose body is
// cut). It asks for gzip itself, so that it sees the body as sent and can
// record it, then undoes the encoding under the same limit. It sits under
// the crawl's one http.Client: every request of the crawl passes here.
type fetchTransport struct {
	base     http.RoundTripper
	maxBody  int64
	recorder Recorder
	pace     *pacer     // spaces requests per host; nil: no spacing
	notes    *pageNotes // where the notes of colly's pages go; nil: none kept
	// redirected, when set, is told the first URL of a chain of redirects
	// of a page colly fetches and the URL each hop leads to.
	redirected func(from, to string)
	// roundTrip, when set, is told each exchange's status (0: none came)
	// and how long it took, from sending the request (after the pacer's
	// wait) to having read the body.
	roundTrip func(status int, dur time.Duration)
}

// RoundTrip implements http.RoundTripper.
func (t *fetchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.pace != nil && !t.pace.wait(req.Context(), req.URL.Host) {
		return nil, fmt.Errorf("%s: %w", req.URL, context.Cause(req.Context()))
	}
	if t.notes != nil && req.Response != nil && req.Response.Request != nil {
		// A redirect's hop is not the page colly is given.
		t.notes.take(req.Response.Request.URL.String())
	}
	if t.redirected != nil && req.Response != nil && kindOf(req.Context()) == kindPage {
		first := req
		for first.Response != nil && first.Response.Request != nil {
			first = first.Response.Request
		}
		t.redirected(first.URL.String(), req.URL.String())
	}
	limit, cut := t.maxBody, false
	if n, ok := req.Context().Value(bodyLimitKey{}).(int64); ok && n > 0 {
		limit, cut = n, true
	}
	req = req.Clone(req.Context())
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	var ip string
	trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		if ci.Conn != nil {
			ip = ci.Conn.RemoteAddr().String()
		}
	}}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		if t.roundTrip != nil && req.Context().Err() == nil {
			t.roundTrip(0, time.Since(start))
		}
		return nil, err
	}
	defer resp.Body.Close()
	wire, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if t.roundTrip != nil {
		t.roundTrip(resp.StatusCode, time.Since(start))
	}
	if err != nil {
		return nil, fmt.Errorf("read body of %s: %w", req.URL, err)
	}
	truncated := false
	if int64(len(wire)) > limit {
		if !cut {
			return nil, fmt.Errorf("%w: %s: more than %d bytes", ErrTooLarge, req.URL, limit)
		}
		wire, truncated = wire[:limit], true
	}
	var capture store.Capture
	if t.recorder != nil {
		ex := &Exchange{URL: req.URL.String(), Method: req.Method, RequestProto: "HTTP/1.1", RequestHeader: req.Header,
			StatusCode: resp.StatusCode, Status: resp.Status, ResponseProto: resp.Proto, ResponseHeader: resp.Header,
			Body: wire, IP: ip, Date: time.Now().UTC()}
		if truncated {
			ex.Truncated = "length" // WARC-Truncated: a body cut at its limit (robots.txt)
		}
		c, err := t.recorder.Record(req.Context(), ex)
		if err != nil {
			return nil, fmt.Errorf("record %s: %w", req.URL, err)
		}
		capture = c
	}
	body := wire
	if enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc == "gzip" || enc == "x-gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(wire))
		if err != nil {
			return nil, fmt.Errorf("gunzip body of %s: %w", req.URL, err)
		}
		body, err = io.ReadAll(io.LimitReader(zr, limit+1))
		if err != nil && !(truncated && errors.Is(err, io.ErrUnexpectedEOF)) {
			return nil, fmt.Errorf("gunzip body of %s: %w", req.URL, err)
		}
		if int64(len(body)) > limit {
			if !cut {
				return nil, fmt.Errorf("%w: %s: more than %d bytes after gunzip", ErrTooLarge, req.URL, limit)
			}
			body = body[:limit]
		}
		resp.Header.Del("Content-Encoding")
		resp.Uncompressed = true
	}
	resp.Header.Del("Content-Length")
	if t.notes != nil && kindOf(req.Context()) == kindPage {
		t.notes.put(req.URL.String(), &pageNote{header: resp.Header.Clone(), capture: capture})
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && kindOf(req.Context()) == kindPage {
		// colly re-encodes a body whose Content-Type names a charset; it
		// sees the media type only (none when that names one too, as a
		// malformed header may), and the page's callbacks read the
		// original from its note.
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			mt, _, _ = strings.Cut(ct, ";")
		}
		if mt = strings.TrimSpace(mt); mt == "" || strings.Contains(strings.ToLower(mt), "charset") {
			resp.Header.Del("Content-Type")
		} else {
			resp.Header.Set("Content-Type", mt)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
