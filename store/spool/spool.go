// Package spool holds writes while a store is away. Its Store wraps another
// store.Store (in practice the Elasticsearch backend): Put goes to the
// wrapped store, and when that fails with a transient error (store.IsTransient:
// the cluster is down or overloaded) the articles are appended to an
// on-disk spool instead, JSON lines in a directory, fsync'd before Put
// returns. A background goroutine retries the spool with exponential
// backoff and drains it, in order, once the wrapped store is back; while
// anything is spooled, new Puts are spooled behind it, so that a later
// version of an article never lands before an earlier one. Close drains
// what it can and leaves the rest on disk, and New drains it on the next run.
//
// Reads (Get, Versions, Search, Scan) go to the wrapped store: spooled
// articles are not visible until drained. The package owns the spool
// directory and nothing else; what to wrap, and where the directory lives,
// is the caller's choice.
package spool

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"newsarc/store"
)

// File names in the spool directory.
const (
	activeFile   = "active.jsonl"   // appended to by Put
	segmentGlob  = "seg-*.jsonl"    // sealed, drained oldest first
	progressFile = "progress"       // "<segment> <offset>": how far the oldest segment is drained
	rejectedFile = "rejected.jsonl" // articles the wrapped store refused for good
)

// Tuning; variables so that tests can shorten them.
var (
	minBackoff   = time.Second      // first retry delay after a transient failure
	maxBackoff   = time.Minute      // longest retry delay
	closeTimeout = 30 * time.Second // how long Close tries to drain
	drainBatch   = 100              // articles per Put when draining
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store that spools writes while the store it wraps fails
// transiently. It is safe for concurrent use.
type Store struct {
	next store.Store
	dir  string
	log  *slog.Logger

	life   sync.RWMutex // read-held by every operation, write-held by Close
	closed bool

	mu      sync.Mutex // guards the fields below
	active  *os.File   // open for appending
	nActive int        // articles in the active file
	pending int        // articles spooled and not yet drained, all files

	drainMu sync.Mutex // serialises draining (background and Flush)
	wake    chan struct{}
	stop    chan struct{}
	cancel  context.CancelFunc // cancels a background drain in flight
	done    chan struct{}
}

// entry is one spooled article: its JSON record and its raw body, which
// the record leaves out.
type entry struct {
	Article *store.Article `json:"article"`
	Raw     []byte         `json:"raw,omitempty"`
}

// New opens (creating when needed) the spool in dir around next and starts
// draining whatever an earlier run left in it. The Store owns next from
// now on: Close closes it. log receives a warning when writes start being
// spooled and when a drain fails, and an error for each article next
// refuses for good (kept in dir/rejected.jsonl); nil discards.
func New(dir string, next store.Store, log *slog.Logger) (*Store, error) {
	if next == nil {
		return nil, errors.New("spool: no store to wrap")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("spool: open %s: %w", dir, err)
	}
	s := &Store{next: next, dir: dir, log: log, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if err := s.openActive(); err != nil {
		return nil, fmt.Errorf("spool: open %s: %w", dir, err)
	}
	n, err := s.countSealed()
	if err != nil {
		s.active.Close()
		return nil, fmt.Errorf("spool: open %s: %w", dir, err)
	}
	s.pending = n + s.nActive
	if s.pending > 0 {
		log.Info("spool: found spooled articles", "count", s.pending, "dir", dir)
		s.kick()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.run(ctx)
	return s, nil
}

// Pending returns how many articles are spooled and not yet drained.
func (s *Store) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// Put puts articles into the wrapped store. When that fails transiently,
// or when earlier articles are still spooled, it appends them to the spool
// (fsync'd) and reports them all as store.Created, since the wrapped store
// cannot be asked; the background drain applies them later, in order.
// Other errors of the wrapped store are returned as they are.
func (s *Store) Put(ctx context.Context, articles ...*store.Article) ([]store.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("spool: put %d articles: %w", len(articles), err)
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return nil, fmt.Errorf("spool: put %d articles: %w", len(articles), store.ErrClosed)
	}
	if s.Pending() == 0 {
		changes, err := s.next.Put(ctx, articles...)
		if err == nil || !store.IsTransient(err) || ctx.Err() != nil {
			return changes, err
		}
		s.log.Warn("spool: store unavailable, spooling", "count", len(articles), "err", err)
	}
	if err := s.append(articles); err != nil {
		return nil, fmt.Errorf("spool: put %d articles: %w", len(articles), err)
	}
	s.kick()
	changes := make([]store.Change, len(articles))
	for i := range changes {
		changes[i] = store.Created
	}
	return changes, nil
}

// Flush drains the spool now and returns the wrapped store's error when it
// cannot (a transient one when it is still away).
func (s *Store) Flush(ctx context.Context) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return fmt.Errorf("spool: flush: %w", store.ErrClosed)
	}
	if err := s.drain(ctx); err != nil {
		return fmt.Errorf("spool: flush: %w", err)
	}
	return nil
}

// Get returns the wrapped store's answer; spooled articles are not seen.
func (s *Store) Get(ctx context.Context, id string) (*store.Article, error) {
	release, err := s.acquire()
	if err != nil {
		return nil, fmt.Errorf("spool: get %s: %w", id, err)
	}
	defer release()
	return s.next.Get(ctx, id)
}

// Versions returns the wrapped store's answer.
func (s *Store) Versions(ctx context.Context, id string) ([]*store.Article, error) {
	release, err := s.acquire()
	if err != nil {
		return nil, fmt.Errorf("spool: versions of %s: %w", id, err)
	}
	defer release()
	return s.next.Versions(ctx, id)
}

// Search returns the wrapped store's answer.
func (s *Store) Search(ctx context.Context, q store.Query) (*store.Results, error) {
	release, err := s.acquire()
	if err != nil {
		return nil, fmt.Errorf("spool: search: %w", err)
	}
	defer release()
	return s.next.Search(ctx, q)
}

// Similar returns the wrapped store's answer; spooled articles are not seen.
func (s *Store) Similar(ctx context.Context, hash uint64, maxDistance int) ([]*store.Article, error) {
	release, err := s.acquire()
	if err != nil {
		return nil, fmt.Errorf("spool: similar: %w", err)
	}
	defer release()
	return s.next.Similar(ctx, hash, maxDistance)
}

// LinkRecord returns the wrapped store's answer, by its LinkReader when
// it is one; spooled articles are not seen.
func (s *Store) LinkRecord(ctx context.Context, id string) (store.LinkRecord, error) {
	release, err := s.acquire()
	if err != nil {
		return store.LinkRecord{}, fmt.Errorf("spool: link record of %s: %w", id, err)
	}
	defer release()
	if lr, ok := s.next.(store.LinkReader); ok {
		return lr.LinkRecord(ctx, id)
	}
	a, err := s.next.Get(ctx, id)
	if err != nil {
		return store.LinkRecord{}, err
	}
	return store.LinkOf(a), nil
}

// NearLinks returns the wrapped store's answer, by its LinkReader when it
// is one, else made of its Similar's; spooled articles are not seen.
func (s *Store) NearLinks(ctx context.Context, hash uint64, maxDistance int) ([]store.LinkRecord, error) {
	release, err := s.acquire()
	if err != nil {
		return nil, fmt.Errorf("spool: near links: %w", err)
	}
	defer release()
	if lr, ok := s.next.(store.LinkReader); ok {
		return lr.NearLinks(ctx, hash, maxDistance)
	}
	arts, err := s.next.Similar(ctx, hash, maxDistance)
	if err != nil {
		return nil, err
	}
	recs := make([]store.LinkRecord, 0, len(arts))
	for _, a := range arts {
		recs = append(recs, store.LinkOf(a))
	}
	return recs, nil
}

// Scan returns the wrapped store's answer.
func (s *Store) Scan(ctx context.Context, q store.Query, fn func(*store.Article) error) error {
	release, err := s.acquire()
	if err != nil {
		return fmt.Errorf("spool: scan: %w", err)
	}
	defer release()
	return s.next.Scan(ctx, q, fn)
}

// Close stops the background drain, tries for a while to drain what is
// spooled, keeps the rest on disk for the next New, and closes the wrapped
// store. Calling it again returns store.ErrClosed.
func (s *Store) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	s.closed = true
	close(s.stop)
	s.cancel()
	<-s.done

	var errs []error
	if s.Pending() > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		err := s.drain(ctx)
		cancel()
		if err != nil {
			s.log.Warn("spool: kept articles on disk for the next run", "count", s.Pending(), "dir", s.dir, "err", err)
		}
	}
	s.mu.Lock()
	if err := s.active.Close(); err != nil {
		errs = append(errs, fmt.Errorf("spool: close %s: %w", activeFile, err))
	}
	s.mu.Unlock()
	if err := s.next.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (s *Store) acquire() (release func(), err error) {
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return nil, store.ErrClosed
	}
	return s.life.RUnlock, nil
}

// kick wakes the background drain.
func (s *Store) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run drains the spool whenever kicked and, after a transient failure,
// again after a delay doubling from minBackoff to maxBackoff (ignoring
// kicks meanwhile), until Close.
func (s *Store) run(ctx context.Context) {
	defer close(s.done)
	delay := minBackoff
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	wake := s.wake // nil while backing off
	for {
		select {
		case <-s.stop:
			return
		case <-wake:
		case <-timer.C:
			wake = s.wake
		}
		if s.Pending() == 0 {
			continue
		}
		err := s.drain(ctx)
		switch {
		case err == nil:
			delay = minBackoff
		case ctx.Err() != nil:
			return
		default:
			s.log.Warn("spool: drain failed, will retry", "count", s.Pending(), "err", err, "dur", delay)
			wake = nil
			timer.Reset(delay)
			delay = min(2*delay, maxBackoff)
		}
	}
}

// openActive opens the active file for appending, cutting off a last line
// that a crash left unfinished, and counts its articles.
func (s *Store) openActive() error {
	path := filepath.Join(s.dir, activeFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return err
	}
	keep := bytes.LastIndexByte(data, '\n') + 1
	if keep < len(data) {
		s.log.Warn("spool: dropped an unfinished line", "dir", s.dir, "count", len(data)-keep)
		if err := f.Truncate(int64(keep)); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.Seek(int64(keep), io.SeekStart); err != nil {
		f.Close()
		return err
	}
	s.active, s.nActive = f, bytes.Count(data[:keep], []byte{'\n'})
	return nil
}

// append writes articles to the active file and syncs it.
func (s *Store) append(articles []*store.Article) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, a := range articles {
		if err := enc.Encode(entry{Article: a, Raw: a.Raw}); err != nil {
			return fmt.Errorf("encode %s: %w", a.ID, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.active.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", activeFile, err)
	}
	if err := s.active.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", activeFile, err)
	}
	s.nActive += len(articles)
	s.pending += len(articles)
	return nil
}

// segments returns the sealed segment files, oldest first.
func (s *Store) segments() ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(s.dir, segmentGlob))
	if err != nil {
		return nil, err
	}
	slices.Sort(paths) // zero-padded sequence numbers
	return paths, nil
}

// seal renames the active file to a new segment and starts an empty one.
// The caller holds s.mu.
func (s *Store) seal() error {
	segs, err := s.segments()
	if err != nil {
		return err
	}
	seq := 1
	if len(segs) > 0 {
		last := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(segs[len(segs)-1]), "seg-"), ".jsonl")
		n, err := strconv.Atoi(last)
		if err != nil {
			return fmt.Errorf("segment %s: %w", segs[len(segs)-1], err)
		}
		seq = n + 1
	}
	if err := s.active.Close(); err != nil {
		return err
	}
	seg := filepath.Join(s.dir, fmt.Sprintf("seg-%012d.jsonl", seq))
	if err := os.Rename(filepath.Join(s.dir, activeFile), seg); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(s.dir, activeFile), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	s.active, s.nActive = f, 0
	return syncDir(s.dir)
}

// countSealed counts the articles of the segments not yet drained.
func (s *Store) countSealed() (int, error) {
	segs, err := s.segments()
	if err != nil {
		return 0, err
	}
	progSeg, progOff := s.progress()
	n := 0
	for _, seg := range segs {
		data, err := os.ReadFile(seg)
		if err != nil {
			return 0, err
		}
		if filepath.Base(seg) == progSeg && progOff <= int64(len(data)) {
			data = data[progOff:]
		}
		n += bytes.Count(data, []byte{'\n'})
	}
	return n, nil
}

// progress returns the segment being drained and the offset drained so
// far; "" when none.
func (s *Store) progress() (string, int64) {
	data, err := os.ReadFile(filepath.Join(s.dir, progressFile))
	if err != nil {
		return "", 0
	}
	name, off, ok := strings.Cut(strings.TrimSpace(string(data)), " ")
	n, err := strconv.ParseInt(off, 10, 64)
	if !ok || err != nil {
		return "", 0
	}
	return name, n
}

// setProgress records that seg is drained up to offset.
func (s *Store) setProgress(seg string, offset int64) error {
	tmp := filepath.Join(s.dir, progressFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s %d\n", filepath.Base(seg), offset)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(s.dir, progressFile))
}

// drain puts every spooled article into the wrapped store, oldest first,
// sealing the active file when the segments are done, until nothing is
// left. It stops at the first transient failure, keeping what is left.
func (s *Store) drain(ctx context.Context) error {
	s.drainMu.Lock()
	defer s.drainMu.Unlock()
	for {
		segs, err := s.segments()
		if err != nil {
			return err
		}
		if len(segs) == 0 {
			s.mu.Lock()
			if s.nActive == 0 {
				s.mu.Unlock()
				return nil
			}
			err := s.seal()
			s.mu.Unlock()
			if err != nil {
				return fmt.Errorf("seal %s: %w", activeFile, err)
			}
			continue
		}
		for _, seg := range segs {
			if err := s.drainSegment(ctx, seg); err != nil {
				return err
			}
		}
	}
}

// drainSegment puts the articles of one segment from where an earlier
// drain stopped, in batches, recording progress after each, and removes
// the segment when done.
func (s *Store) drainSegment(ctx context.Context, seg string) error {
	f, err := os.Open(seg)
	if err != nil {
		return err
	}
	defer f.Close()
	var offset int64
	if name, off := s.progress(); name == filepath.Base(seg) {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return err
		}
		offset = off
	}
	r := bufio.NewReader(f)
	var batch []*store.Article
	var lines int // lines read into batch, decodable or not
	flush := func(end int64) error {
		if len(batch) > 0 {
			if err := s.putBatch(ctx, batch); err != nil {
				return err
			}
		}
		if err := s.setProgress(seg, end); err != nil {
			return fmt.Errorf("record progress: %w", err)
		}
		s.mu.Lock()
		s.pending -= lines
		s.mu.Unlock()
		batch, lines = batch[:0], 0
		return nil
	}
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			offset += int64(len(line))
			lines++
			var e entry
			if jerr := json.Unmarshal(line, &e); jerr != nil || e.Article == nil || e.Article.ID == "" {
				s.log.Warn("spool: skipped an unreadable line", "dir", s.dir, "err", jerr)
			} else {
				e.Article.Raw = e.Raw
				batch = append(batch, e.Article)
			}
			if len(batch) >= drainBatch {
				if err := flush(offset); err != nil {
					return err
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if err := flush(offset); err != nil {
		return err
	}
	if err := os.Remove(seg); err != nil {
		return err
	}
	return os.Remove(filepath.Join(s.dir, progressFile))
}

// putBatch puts a batch into the wrapped store. When it fails for good,
// the articles are put one by one, and those refused for good go to the
// rejected file, so that one bad article does not hold the spool up.
func (s *Store) putBatch(ctx context.Context, batch []*store.Article) error {
	_, err := s.next.Put(ctx, batch...)
	if err == nil {
		return nil
	}
	if store.IsTransient(err) || ctx.Err() != nil {
		return err
	}
	for _, a := range batch {
		_, err := s.next.Put(ctx, a)
		if err == nil {
			continue
		}
		if store.IsTransient(err) || ctx.Err() != nil {
			return err
		}
		s.log.Error("spool: store refused a spooled article; kept in "+rejectedFile, "url", a.URL, "err", err)
		if err := s.reject(a); err != nil {
			return fmt.Errorf("keep rejected %s: %w", a.ID, err)
		}
	}
	return nil
}

// reject appends an article to the rejected file.
func (s *Store) reject(a *store.Article) error {
	f, err := os.OpenFile(filepath.Join(s.dir, rejectedFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	err = json.NewEncoder(f).Encode(entry{Article: a, Raw: a.Raw})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
