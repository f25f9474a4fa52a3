package warc

import (
	"crypto/sha1"
	"encoding/base32"
	"fmt"
	"net/http"
	"strconv"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"

	"newsarc/store"
)

// Revisits
//
// Write decides, for each exchange, whether it repeats an earlier capture
// of the same URL (the same WARC-Target-URI) and writes a revisit record
// when it does, as wayback tools and warcio expect:
//
//   - a 304 answer, when an earlier capture of the URL has a body: profile
//     server-not-modified;
//   - a complete body whose sha1 payload digest and status code equal those
//     of the latest earlier capture of the URL: profile
//     identical-payload-digest.
//
// The revisit record holds the new HTTP status line and headers (no body),
// WARC-Refers-To (the earlier record's ID), WARC-Refers-To-Target-URI and
// WARC-Refers-To-Date, and WARC-Payload-Digest is the earlier payload's
// digest, the digest of the payload the revisit stands for. A 304 with no
// earlier capture is written as a response record, as received.
//
// The Writer remembers the latest capture with a body of each URL it
// wrote; on its first write it learns those already in its directory
// from the CDXJ index (see LoadIndex), so revisits refer across runs.

// prior is the latest capture with a body of one URL.
type prior struct {
	id     string // WARC-Record-ID, in angle brackets
	uri    string // WARC-Target-URI
	date   time.Time
	digest string // WARC-Payload-Digest, "sha1:…"
	typ    string // Content-Type
	status int    // HTTP status code
}

// payloadDigest is the WARC-Payload-Digest of a body: sha1, base32.
func payloadDigest(body []byte) string {
	sum := sha1.Sum(body)
	return "sha1:" + base32.StdEncoding.EncodeToString(sum[:])
}

// revisitOf says whether the exchange f (body digest digest) repeats an
// earlier capture, which one, and with which revisit profile.
func (w *Writer) revisitOf(f *fields, ex *Exchange, digest string) (prior, string, bool) {
	w.seedOnce.Do(w.seed)
	w.mu.Lock()
	p, ok := w.priors[f.url]
	w.mu.Unlock()
	switch {
	case !ok || p.id == "" || p.date.After(f.date):
		return prior{}, "", false
	case f.code == http.StatusNotModified:
		return p, gowarc.ProfileServerNotModifiedV1_1, true
	case f.truncated == "" && len(ex.Body) > 0 && p.digest == digest && p.status == f.code:
		return p, gowarc.ProfileIdenticalPayloadDigestV1_1, true
	}
	return prior{}, "", false
}

// remember records c as the latest capture with a body of url.
func (w *Writer) remember(url string, p prior) {
	w.seedOnce.Do(w.seed)
	w.mu.Lock()
	defer w.mu.Unlock()
	if old, ok := w.priors[url]; !ok || !p.date.Before(old.date) {
		w.priors[url] = p
	}
}

// seed learns the captures already in the Writer's directory. An index
// that cannot be read leaves the Writer without them: its records are then
// written as responses, which is correct, only larger.
func (w *Writer) seed() {
	w.mu.Lock()
	w.priors = map[string]prior{}
	w.mu.Unlock()
	lines, err := LoadIndex(w.cfg.Dir, w.cfg.Index)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range lines {
		if l.Mime == RevisitMime || l.Status == "304" || l.RecordID == "" {
			continue
		}
		status, _ := strconv.Atoi(l.Status)
		p := prior{id: l.RecordID, uri: l.URL, date: l.Time(), digest: l.Digest, typ: l.Mime, status: status}
		if old, ok := w.priors[l.URL]; !ok || !p.date.Before(old.date) {
			w.priors[l.URL] = p
		}
	}
}

// writeRevisit writes a revisit record of profile for f, referring to p,
// and its request record.
func (w *Writer) writeRevisit(f *fields, p prior, profile string) (store.Capture, error) {
	rev, err := w.build(gowarc.Revisit, f, func(rb gowarc.WarcRecordBuilder) {
		rb.AddWarcHeader(gowarc.WarcProfile, profile)
		rb.AddWarcHeader(gowarc.WarcRefersTo, bracket(p.id))
		if p.uri != "" {
			rb.AddWarcHeader(gowarc.WarcRefersToTargetURI, p.uri)
		}
		if !p.date.IsZero() {
			rb.AddWarcHeaderTime(gowarc.WarcRefersToDate, p.date)
		}
		if p.digest != "" {
			rb.AddWarcHeader(gowarc.WarcPayloadDigest, p.digest)
		}
		if f.truncated != "" {
			rb.AddWarcHeader(gowarc.WarcTruncated, f.truncated)
		}
	}, responseBlock(f, nil))
	if err != nil {
		return store.Capture{}, fmt.Errorf("warc: revisit record for %s: %w", f.url, err)
	}
	defer rev.Close()
	req, err := w.build(gowarc.Request, f, nil, requestBlock(f))
	if err != nil {
		return store.Capture{}, fmt.Errorf("warc: request record for %s: %w", f.url, err)
	}
	defer req.Close()
	link(rev, req)
	c, err := w.append(rev, req)
	if err != nil {
		return store.Capture{}, fmt.Errorf("warc: write revisit of %s: %w", f.url, store.DiskFull(w.cfg.Dir, err))
	}
	c.Status = f.code
	c.Type = f.respHeader.Get("Content-Type")
	if c.Type == "" {
		c.Type = p.typ
	}
	return c, nil
}
