package warc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	gowarc "github.com/nlnwa/gowarc/v3"

	"newsarc/store"
)

// Fault is one place in a WARC file that does not read back as it was
// written.
type Fault struct {
	File     string // the file's final name, as store.Capture.File has it
	Offset   int64  // where the faulty record, or unreadable stretch, starts
	RecordID string // WARC-Record-ID, "" when the record could not be parsed
	URL      string // WARC-Target-URI, "" when unknown
	Err      error
}

func (f Fault) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s@%d", f.File, f.Offset)
	if f.RecordID != "" {
		fmt.Fprintf(&b, " %s", f.RecordID)
	}
	if f.URL != "" {
		fmt.Fprintf(&b, " (%s)", f.URL)
	}
	fmt.Fprintf(&b, ": %v", f.Err)
	return b.String()
}

// Report is what Verify found.
type Report struct {
	Files   int     // WARC files read
	Records int     // records read whole
	Faults  []Fault // in file and offset order
}

// Verify reads every record of every WARC file in dir, those finished and
// those still open, and reports each that does not read back as written:
// a gzip member that does not decompress or fails its CRC, a record that
// does not parse, a WARC-Block-Digest or WARC-Payload-Digest that does not
// match the bytes, bytes between records. After an unreadable stretch it
// goes on at the next record it can find. It changes nothing; the error
// is for a directory it cannot read, or ctx done.
func Verify(ctx context.Context, dir string) (*Report, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("warc: verify: %w", err)
	}
	r := &Report{}
	for _, de := range des {
		name := de.Name()
		open := strings.HasSuffix(name, Ext+OpenExt)
		if de.IsDir() || !(open || strings.HasSuffix(name, Ext)) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return r, err
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			r.Faults = append(r.Faults, Fault{File: strings.TrimSuffix(name, OpenExt), Err: err})
			continue
		}
		fi, err := f.Stat()
		if err == nil {
			r.Files++
			err = verifyFile(ctx, f, fi.Size(), strings.TrimSuffix(name, OpenExt), r)
		}
		f.Close()
		if err != nil {
			return r, err
		}
	}
	sort.SliceStable(r.Faults, func(i, j int) bool {
		a, b := r.Faults[i], r.Faults[j]
		return a.File < b.File || a.File == b.File && a.Offset < b.Offset
	})
	return r, nil
}

// verifyFile verifies the records of one file, r of size bytes named
// name, into rep. It returns only ctx's error.
func verifyFile(ctx context.Context, r io.ReaderAt, size int64, name string, rep *Report) error {
	for off := int64(0); off >= 0 && off < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		next, ok := verifyFrom(ctx, r, size, off, name, rep)
		if ok {
			return nil
		}
		// An unreadable stretch from next: go on at the next record.
		off = resync(r, size, next+1)
	}
	return nil
}

// verifyFrom reads records from off until the end of the file (ok) or the
// first one it cannot read, whose offset it returns.
func verifyFrom(ctx context.Context, r io.ReaderAt, size, off int64, name string, rep *Report) (bad int64, ok bool) {
	fr, err := newStreamReader(io.NewSectionReader(r, 0, size), off)
	if err != nil {
		rep.Faults = append(rep.Faults, Fault{File: name, Offset: off, Err: err})
		return off, false
	}
	defer fr.Close()
	for ctx.Err() == nil {
		rec, err := nextRecord(fr)
		if errors.Is(err, io.EOF) && rec.WarcRecord == nil {
			if off+5 > size { // the reader peeks 5 bytes for a record's start
				return 0, true
			}
			// Bytes that end before a record does: a file cut short, or
			// a member that decompresses to less than a record.
			rep.Faults = append(rep.Faults, Fault{File: name, Offset: off,
				Err: fmt.Errorf("%w: unreadable record: its data ends before the record does", store.ErrCorrupt)})
			return off, false
		}
		if err != nil {
			at := max(rec.Offset, off)
			rep.Faults = append(rep.Faults, Fault{File: name, Offset: at, Err: fmt.Errorf("%w: unreadable record: %w", store.ErrCorrupt, err)})
			_ = rec.Close()
			return at, false
		}
		rep.Records++
		h := rec.WarcRecord.WarcHeader()
		for _, v := range rec.Validation {
			if v == nil {
				continue
			}
			rep.Faults = append(rep.Faults, Fault{File: name, Offset: rec.Offset, RecordID: bracket(rec.WarcRecord.RecordId()),
				URL: h.Get(gowarc.WarcTargetURI), Err: validationError(v)})
		}
		_ = rec.Close()
		if rec.Offset+rec.Size <= off {
			return off, false // no progress: never loop on the same bytes
		}
		off = rec.Offset + rec.Size
	}
	return 0, true // ctx done: Verify returns its error
}

// nextRecord reads the next record, turning a panic of the WARC library
// on malformed bytes into an error.
func nextRecord(fr *gowarc.WarcFileReader) (rec gowarc.Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return fr.Next()
}

// validationError says what a validation finding means for the archive:
// the Writer writes nothing the WARC library would find fault with, so
// any finding (a digest that does not match, bytes between records) is
// damage.
func validationError(v error) error {
	return fmt.Errorf("%w: %w", store.ErrCorrupt, v)
}

// resync returns the offset of the first place at or after from that may
// start a record (a gzip member, or "WARC/" uncompressed), or -1.
func resync(r io.ReaderAt, size, from int64) int64 {
	const chunk = 64 << 10
	buf := make([]byte, chunk+8)
	for off := from; off < size; off += chunk {
		n, _ := r.ReadAt(buf, off)
		if n <= 0 {
			return -1
		}
		b := buf[:n]
		gz := bytes.Index(b, []byte{0x1f, 0x8b, 0x08})
		wa := bytes.Index(b, []byte("WARC/"))
		switch {
		case gz >= 0 && (wa < 0 || gz < wa):
			return off + int64(gz)
		case wa >= 0:
			return off + int64(wa)
		}
	}
	return -1
}

// CheckCapture checks that c, an article's capture, points at a readable
// response or revisit record of url in the WARC files under dir, whose
// digests match its bytes. It returns an error wrapping ErrNotFound when
// the file is missing, ErrMismatch when the record there is another one,
// of another type or of another URL (compared after EscapeURL), and
// store.ErrCorrupt when it cannot be read or its digests do not match.
func CheckCapture(dir string, c store.Capture, url string) error {
	f, err := openCapture(dir, c.File)
	if err != nil {
		return fmt.Errorf("warc: check %s@%d: %w", c.File, c.Offset, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("warc: check %s@%d: %w", c.File, c.Offset, err)
	}
	err = readRecordAt(f, fi.Size(), c.Offset, c.RecordID, nil, func(rec gowarc.WarcRecord, validation []error) error {
		if t := rec.Type(); t != gowarc.Response && t != gowarc.Revisit {
			return fmt.Errorf("%w: a %s record", ErrMismatch, t)
		}
		if got := rec.WarcHeader().Get(gowarc.WarcTargetURI); url != "" && got != EscapeURL(url) {
			return fmt.Errorf("%w: the record is of %s, not %s", ErrMismatch, got, url)
		}
		var errs []error
		for _, v := range validation {
			if v != nil {
				errs = append(errs, validationError(v))
			}
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return fmt.Errorf("warc: check %s@%d: %w", c.File, c.Offset, err)
	}
	return nil
}
