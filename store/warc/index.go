package warc

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"

	"newsarc/store"
)

// Entry is one capture found by Index: a response record, or a revisit
// record standing for an unchanged response.
type Entry struct {
	URL     string    // WARC-Target-URI
	Date    time.Time // WARC-Date
	Capture store.Capture
	// RefersTo is, for a revisit record, the WARC-Record-ID of the capture
	// whose body it did not repeat; "" for a response record.
	RefersTo string
	Digest   string // WARC-Payload-Digest, "sha1:…"
	Length   int64  // bytes of the record in its file (its gzip member)
}

// Index scans the WARC files in dir, those finished and those still open,
// and returns an entry for each response and revisit record, sorted by
// URL, then Date, then file and offset. A capture's File is the file's
// final name, as Write reported it. An open file's last record may be
// incomplete (being written, or cut by a crash); the scan of that file
// stops there. Any other unreadable record is an error. A revisit record
// without a Content-Type takes its Type from the capture it refers to.
//
// Index reads every record, so it takes time in proportion to the archive;
// it is meant for `newsarc replay` and tests, not for every request.
func Index(dir string) ([]Entry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("warc: index: %w", err)
	}
	var entries []Entry
	for _, de := range des {
		name := de.Name()
		open := strings.HasSuffix(name, Ext+OpenExt)
		if de.IsDir() || !(open || strings.HasSuffix(name, Ext)) {
			continue
		}
		es, err := indexFile(dir, strings.TrimSuffix(name, OpenExt), open)
		if err != nil {
			return nil, fmt.Errorf("warc: index %s: %w", name, err)
		}
		entries = append(entries, es...)
	}
	byID := make(map[string]*Entry, len(entries))
	for i := range entries {
		byID[entries[i].Capture.RecordID] = &entries[i]
	}
	for i := range entries {
		e := &entries[i]
		if ref := byID[e.RefersTo]; e.RefersTo != "" && e.Capture.Type == "" && ref != nil {
			e.Capture.Type = ref.Capture.Type
		}
	}
	slices.SortFunc(entries, func(a, b Entry) int {
		return cmp.Or(
			strings.Compare(a.URL, b.URL),
			a.Date.Compare(b.Date),
			strings.Compare(a.Capture.File, b.Capture.File),
			cmp.Compare(a.Capture.Offset, b.Capture.Offset),
		)
	})
	return entries, nil
}

// indexFile lists the captures in one file, named by its final name; open
// says it was found under its open name.
func indexFile(dir, name string, open bool) ([]Entry, error) {
	path := filepath.Join(dir, name)
	if open {
		path += OpenExt
	}
	r, err := newFileReader(path,
		gowarc.WithSyntaxErrorPolicy(gowarc.ErrIgnore), gowarc.WithSpecViolationPolicy(gowarc.ErrIgnore))
	if open && errors.Is(err, fs.ErrNotExist) {
		// Renamed since the directory was listed.
		r, err = newFileReader(filepath.Join(dir, name),
			gowarc.WithSyntaxErrorPolicy(gowarc.ErrIgnore), gowarc.WithSpecViolationPolicy(gowarc.ErrIgnore))
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var entries []Entry
	for rec, err := range r.Records() {
		if err != nil {
			if open {
				break
			}
			return nil, fmt.Errorf("record at %d: %w", rec.Offset, err)
		}
		e, ok, err := entry(rec.WarcRecord)
		_ = rec.Close()
		if err != nil {
			if open {
				break
			}
			return nil, fmt.Errorf("record at %d: %w", rec.Offset, err)
		}
		if ok {
			e.Capture.File, e.Capture.Offset, e.Length = name, rec.Offset, rec.Size
			entries = append(entries, e)
		}
	}
	return entries, nil
}

// entry makes the index entry of a response or revisit record; ok is false
// for other records.
func entry(rec gowarc.WarcRecord) (e Entry, ok bool, err error) {
	t := rec.Type()
	if t != gowarc.Response && t != gowarc.Revisit {
		return Entry{}, false, nil
	}
	h := rec.WarcHeader()
	e.URL = h.Get(gowarc.WarcTargetURI)
	e.Date, _ = rec.Date()
	e.Capture.RecordID = bracket(rec.RecordId())
	e.Digest = h.Get(gowarc.WarcPayloadDigest)
	if t == gowarc.Revisit {
		e.RefersTo = bracket(h.GetId(gowarc.WarcRefersTo))
	}
	hb, isHTTP := rec.Block().(gowarc.ProtocolHeaderBlock)
	if !isHTTP {
		return Entry{}, false, nil // not an HTTP capture (dns:, a resource)
	}
	var r Response
	if err := parseHead(hb.ProtocolHeaderBytes(), &r); err != nil {
		return Entry{}, false, err
	}
	e.Capture.Status = r.StatusCode
	e.Capture.Type = r.Header.Get("Content-Type")
	return e, true, nil
}

// Lookup picks from entries (as Index returns them) the capture of url
// (compared as a string after EscapeURL) taken at or before at, the latest such; a zero at
// means the latest of all. When that capture is a revisit, Lookup returns
// the capture it refers to, whose record holds the body. It returns
// ErrNotFound when url has no capture by then, or the one a revisit refers
// to is not among entries.
func Lookup(entries []Entry, url string, at time.Time) (Entry, error) {
	url = EscapeURL(url)
	var best *Entry
	for i := range entries {
		e := &entries[i]
		if e.URL != url || (!at.IsZero() && e.Date.After(at)) {
			continue
		}
		if best == nil || !e.Date.Before(best.Date) {
			best = e
		}
	}
	if best == nil {
		return Entry{}, fmt.Errorf("%w: %s at %s", ErrNotFound, url, at.Format(time.RFC3339))
	}
	for hops := 0; best.RefersTo != ""; hops++ {
		id := best.RefersTo
		i := slices.IndexFunc(entries, func(e Entry) bool { return e.Capture.RecordID == id })
		if i < 0 || hops > 10 {
			return Entry{}, fmt.Errorf("%w: %s: revisit refers to %s, which is not indexed", ErrNotFound, url, id)
		}
		best = &entries[i]
	}
	return *best, nil
}
