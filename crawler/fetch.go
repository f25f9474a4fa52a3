package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// ErrTooLarge is returned for a response whose body, after any
// Content-Encoding is undone, exceeds Config.MaxBodySize. Compressed bombs
// end here too.
var ErrTooLarge = errors.New("crawler: response body too large")

// origContentType carries a response's Content-Type past colly, which
// would otherwise re-encode bodies whose header names a charset and so lose
// the bytes as received. The crawler restores it before extraction.
const origContentType = "X-Newsarc-Content-Type"

// fetchTransport reads each response body whole, up to a limit, so an
// oversized or endless body fails with ErrTooLarge instead of being cut
// short silently, and keeps the body as received.
type fetchTransport struct {
	base    http.RoundTripper
	maxBody int64
}

// RoundTrip implements http.RoundTripper.
func (t *fetchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body of %s: %w", req.URL, err)
	}
	if int64(len(body)) > t.maxBody {
		return nil, fmt.Errorf("%w: %s: more than %d bytes", ErrTooLarge, req.URL, t.maxBody)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		resp.Header.Set(origContentType, ct)
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			resp.Header.Set("Content-Type", mt)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// restoreHeader undoes fetchTransport's Content-Type rename on a copy of h.
func restoreHeader(h http.Header) http.Header {
	out := h.Clone()
	if ct := out.Get(origContentType); ct != "" {
		out.Set("Content-Type", ct)
		out.Del(origContentType)
	}
	return out
}
