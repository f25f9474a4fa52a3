package warc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The CDXJ index
//
// Beside the WARC files the Writer keeps a CDXJ index (Config.Index,
// "index.cdxj"), the form pywb and other wayback tools load: one line per
// response and revisit record of the finished files,
//
//	<SURT key> <yyyyMMddHHmmss> {"url": …, "mime": …, "status": …, "digest": …, "length": …, "offset": …, "filename": …, …}
//
// sorted as bytes, as cdxj-indexer writes it (mime is "warc/revisit" for a
// revisit record, status and numbers are strings, digest is the
// WARC-Payload-Digest). Two fields of newsarc's are added, which wayback
// tools ignore: "record_id" (WARC-Record-ID) and "warc_date" (WARC-Date
// to the nanosecond), so that revisits can name what they repeat. The
// file is rewritten whole, under a temporary name renamed into place, each
// time a WARC file is closed; a file missing from it (closed by a process
// that crashed before updating it, or written before the index existed)
// is indexed on the next update.

// RevisitMime is the mime of a revisit record's index line.
const RevisitMime = "warc/revisit"

// IndexLine is one line of the CDXJ index.
type IndexLine struct {
	Key       string `json:"-"` // SURT form of URL
	Timestamp string `json:"-"` // WARC-Date as yyyyMMddHHmmss, UTC
	URL       string `json:"url"`
	Mime      string `json:"mime,omitempty"`
	Status    string `json:"status"`
	Digest    string `json:"digest,omitempty"`
	Length    string `json:"length"`
	Offset    string `json:"offset"`
	Filename  string `json:"filename"`
	RecordID  string `json:"record_id"`
	Date      string `json:"warc_date"`
}

// Time is the line's WARC-Date.
func (l IndexLine) Time() time.Time {
	if t, err := time.Parse(time.RFC3339Nano, l.Date); err == nil {
		return t
	}
	t, _ := time.Parse("20060102150405", l.Timestamp)
	return t
}

// String is the line as written, without its newline.
func (l IndexLine) String() string {
	var b strings.Builder
	b.WriteString(l.Key + " " + l.Timestamp + " ")
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(l)
	return strings.TrimSuffix(b.String(), "\n")
}

// lineOf makes the index line of an Index entry.
func lineOf(e Entry) IndexLine {
	l := IndexLine{
		Key:       SURT(e.URL),
		Timestamp: e.Date.UTC().Format("20060102150405"),
		URL:       e.URL,
		Mime:      mimeOf(e.Capture.Type),
		Status:    strconv.Itoa(e.Capture.Status),
		Digest:    e.Digest,
		Length:    strconv.FormatInt(e.Length, 10),
		Offset:    strconv.FormatInt(e.Capture.Offset, 10),
		Filename:  e.Capture.File,
		RecordID:  e.Capture.RecordID,
		Date:      e.Date.UTC().Format(time.RFC3339Nano),
	}
	if e.RefersTo != "" {
		l.Mime = RevisitMime
	}
	return l
}

// mimeOf is a Content-Type's media type, as cdxj-indexer gives it.
func mimeOf(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	if i := strings.IndexAny(mt, " \t"); i >= 0 {
		mt = mt[:i]
	}
	return mt
}

// indexMu serialises index updates of the process.
var indexMu sync.Mutex

// LoadIndex returns the lines of the CDXJ index name in dir, first adding
// the finished WARC files it lacks and dropping those no longer there
// (then rewriting it). Files still being written are not in it.
func LoadIndex(dir, name string) ([]IndexLine, error) {
	return loadIndex(dir, name, true, nil)
}

// loadIndex is LoadIndex; when update is false, it leaves the file as it
// is (a reader's view, which must not race the writer's). known holds the
// entries of files a Writer finished, as it wrote them: such a file is
// indexed from them, not read back.
func loadIndex(dir, name string, update bool, known map[string][]Entry) ([]IndexLine, error) {
	if name == "" {
		name = DefaultIndex
	}
	indexMu.Lock()
	defer indexMu.Unlock()
	path := filepath.Join(dir, name)
	lines, err := readIndex(path)
	rebuild := errors.Is(err, errBadIndex) // derived data: made again from the files
	if err != nil && !rebuild {
		return nil, fmt.Errorf("warc: read index %s: %w", name, err)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("warc: index: %w", err)
	}
	files := map[string]bool{}
	changed := rebuild
	for _, de := range des {
		if n := de.Name(); !de.IsDir() && strings.HasSuffix(n, Ext) {
			files[n] = true
		}
	}
	indexed := map[string]bool{}
	kept := lines[:0]
	for _, l := range lines {
		if k := SURT(l.URL); k != l.Key { // written by an older SURT
			l.Key, changed = k, true
		}
		if files[l.Filename] {
			indexed[l.Filename] = true
			kept = append(kept, l)
		} else {
			changed = true
		}
	}
	lines = kept
	for n := range files {
		if indexed[n] {
			continue
		}
		es, ok := known[n]
		if !ok {
			var err error
			if es, err = indexFile(dir, n, false); err != nil {
				return nil, fmt.Errorf("warc: index %s: %w", n, err)
			}
		}
		for _, e := range es {
			lines = append(lines, lineOf(e))
		}
		changed = true
	}
	if !changed {
		return lines, nil
	}
	texts := sortLines(lines)
	if !update {
		return lines, nil
	}
	if err := writeText(path, texts); err != nil {
		return nil, fmt.Errorf("warc: write index %s: %w", name, err)
	}
	return lines, nil
}

var errBadIndex = errors.New("not a CDXJ index")

// readIndex parses a CDXJ file; a missing file is an empty index.
func readIndex(path string) ([]IndexLine, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var lines []IndexLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		key, rest, ok1 := strings.Cut(sc.Text(), " ")
		ts, js, ok2 := strings.Cut(rest, " ")
		if !ok1 || !ok2 {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			return nil, fmt.Errorf("%w: line %d: not CDXJ", errBadIndex, n)
		}
		l := IndexLine{Key: key, Timestamp: ts}
		if err := json.Unmarshal([]byte(js), &l); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", errBadIndex, n, err)
		}
		lines = append(lines, l)
	}
	return lines, sc.Err()
}

// sortLines sorts lines in the order of their text (String) and returns
// the texts in that order; each line is encoded once, not at every
// comparison.
func sortLines(lines []IndexLine) []string {
	type pair struct {
		text string
		line IndexLine
	}
	ps := make([]pair, len(lines))
	for i, l := range lines {
		ps[i] = pair{l.String(), l}
	}
	slices.SortFunc(ps, func(a, b pair) int { return strings.Compare(a.text, b.text) })
	texts := make([]string, len(ps))
	for i, p := range ps {
		lines[i], texts[i] = p.line, p.text
	}
	return texts
}

// writeText writes index lines, as their texts, to path atomically: a
// temporary file, synced, renamed into place.
func writeText(path string, texts []string) error {
	var b bytes.Buffer
	for _, t := range texts {
		b.WriteString(t)
		b.WriteByte('\n')
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b.Bytes())
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return syncDir(filepath.Dir(path))
}

// SURT returns the Sort-friendly URI Reordering Transform of a URL as
// python's surt package (and so cdxj-indexer and pywb) computes it by
// default: scheme and "www." dropped, host labels reversed and joined by
// commas, then ")" and the path and query, all lower case, the query's
// parameters sorted (after lower-casing), a final slash of the path dropped
// unless the path is "/", the fragment and a default port dropped. pywb
// looks a URL up by this key, so a key that differs is a capture pywb
// cannot find (a final slash did, before: every WordPress-style article).
func SURT(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return strings.ToLower(raw)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	host = strings.TrimSuffix(host, ".")
	if i := strings.IndexByte(host, '.'); i > 0 && strings.HasPrefix(host, "www") && strings.Trim(host[3:i], "0123456789") == "" {
		host = host[i+1:]
	}
	labels := strings.Split(host, ".")
	slices.Reverse(labels)
	key := strings.Join(labels, ",")
	if port != "" {
		key += ":" + port
	}
	path := u.EscapedPath()
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	if path == "" {
		path = "/"
	}
	key += ")" + path
	if u.RawQuery != "" {
		params := strings.Split(strings.ToLower(u.RawQuery), "&")
		slices.Sort(params)
		key += "?" + strings.Join(params, "&")
	}
	return strings.ToLower(key)
}
