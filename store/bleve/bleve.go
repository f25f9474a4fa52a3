// Package bleve is newsarc's embedded default store: a bbolt database that
// owns the archive (current articles, their earlier versions and the raw
// responses) and a bleve full-text index, rebuilt from bbolt whenever it
// falls behind, that answers Search and Scan. It owns both files under one
// directory and nothing else: extraction, crawling and WARC writing belong to
// other packages, and no bleve or bbolt type leaves this package.
//
// Both files are local, so no error of this package is transient
// (store.IsTransient reports false): retrying will not help.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"newsarc/store"
)

// File names inside the store directory.
const (
	dbFile   = "articles.db"
	indexDir = "index.bleve"
)

// lockWait is how long Open waits for another process to release the
// database before failing.
const lockWait = 5 * time.Second

// bbolt buckets and keys.
var (
	bucketArticles = []byte("articles") // ID -> JSON of the current *store.Article
	bucketVersions = []byte("versions") // ID 0x00 version(uint32 BE) -> JSON of an earlier version
	bucketRaw      = []byte("raw")      // ID 0x00 version(uint32 BE) -> gzip of Article.Raw
	bucketMeta     = []byte("meta")

	metaGen   = []byte("gen")   // uint64 BE, bumped by every Put that changes the index
	metaDirty = []byte("dirty") // present when an index write failed after bbolt committed
)

var _ store.Store = (*Store)(nil)

// Store is the embedded archive. It is safe for concurrent use.
type Store struct {
	mu     sync.RWMutex // read-held by every operation, write-held by Close
	closed bool
	putMu  sync.Mutex // serializes Put so the index generation follows bbolt's

	dir     string
	log     *slog.Logger
	minFree int64
	notes   []string

	db    *bolt.DB
	index blevesearch.Index
	// links is the in-memory band index of the near-duplicate table (see
	// links.go); linksStale is set when the table could not be built, and
	// lookups then read the records.
	links      *linkIndex
	linksStale bool
	// broken, once set, is why the index may no longer be used: a write
	// failed halfway (a full disk) or it panicked. The archive is marked
	// for a rebuild at the next Open; until then Put, Search, Scan and
	// Similar return this error.
	broken atomic.Pointer[error]
	// refused, once set, is why Put refuses writes.
	refused atomic.Pointer[error]
	// cols keeps the decoded sort keys and facet values of the index's
	// segments for Search.
	cols columnCache
}

// ErrInUse is wrapped by the error of an Open that found the archive held
// by another process (bbolt allows one at a time; Open waits a few seconds).
var ErrInUse = errors.New("in use by another process")

// Options tune Open.
type Options struct {
	// Logger receives warnings about a damaged or stale index being
	// rebuilt and damaged records being read; default: discard.
	Logger *slog.Logger
	// MinFree is the space Put leaves free on the disk: a Put that would
	// go below it fails with a store.DiskFullError before writing. Zero
	// means store.DefaultMinFree; negative turns the check off.
	MinFree int64
	// Rebuild rebuilds the index from the records even when it looks sound.
	Rebuild bool
	// RebuildLinks rebuilds the near-duplicate table from the records even
	// when it looks sound.
	RebuildLinks bool
}

// Open opens the archive in dir with default Options; see OpenWith.
func Open(ctx context.Context, dir string) (*Store, error) {
	return OpenWith(ctx, dir, Options{})
}

// OpenWith opens the archive in dir, creating dir and an empty archive when
// needed.
//
// The record store is checked before it is opened: when articles.db is
// cut short, empty or otherwise not a readable database, OpenWith returns
// an error wrapping store.ErrCorrupt that says so, and changes nothing.
//
// When the index is missing, damaged (it fails to open, even with a panic),
// built with another mapping, or behind the database (a crash or a failed
// write between the two writes of a Put), OpenWith rebuilds it from the
// records into a new directory, and replaces the old index only when the
// new one is complete; it logs a warning and keeps a note (see Notes). A
// rebuild does not start without the space it needs: an index that opens
// but is behind is then used as it is (and the note says so), and a
// damaged or missing one makes OpenWith fail with a store.DiskFullError.
//
// OpenWith also loads the near-duplicate table (the SimHash, group,
// original and date of each article, which linking reads) into an
// in-memory band index. When the table is missing (an archive written
// before there was one), damaged or behind the records, it builds it from
// the records first, once, with a warning and a note.
func OpenWith(ctx context.Context, dir string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MinFree == 0 {
		opts.MinFree = store.DefaultMinFree
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bleve: open %s: %w", dir, err)
	}
	dbPath := filepath.Join(dir, dbFile)
	if err := store.CheckBoltFile(dbPath); err != nil {
		return nil, fmt.Errorf("bleve: open %s: the record store is damaged, so no article can be read; nothing was changed: %w", dir, err)
	}
	db, err := openDB(dbPath, false)
	if err != nil {
		return nil, fmt.Errorf("bleve: open %s: %w", dir, err)
	}
	s := &Store{dir: dir, log: opts.Logger, minFree: opts.MinFree, db: db}
	if err := s.createBuckets(); err != nil {
		return nil, errors.Join(fmt.Errorf("bleve: open %s: %w", dir, err), db.Close())
	}
	if err := s.openLinks(opts.RebuildLinks); err != nil {
		return nil, errors.Join(fmt.Errorf("bleve: open %s: %w", dir, err), db.Close())
	}
	if err := s.openIndex(ctx, opts.Rebuild); err != nil {
		return nil, errors.Join(fmt.Errorf("bleve: open %s: %w", dir, err), db.Close())
	}
	return s, nil
}

// openDB opens the bbolt database at path, turning a panic of bbolt on a
// damaged file into an error wrapping store.ErrCorrupt.
func openDB(path string, readOnly bool) (db *bolt.DB, err error) {
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, fmt.Errorf("%w: %s: %v", store.ErrCorrupt, path, p)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: lockWait, ReadOnly: readOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%s is %w: %w", path, ErrInUse, err)
	}
	if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch) {
		return nil, fmt.Errorf("%w: %s: %w", store.ErrCorrupt, path, err)
	}
	return db, err
}

// createBuckets creates the buckets an archive needs, writing only when
// one is missing, so that an existing archive opens on a full disk.
func (s *Store) createBuckets() error {
	names := [][]byte{bucketArticles, bucketVersions, bucketRaw, bucketMeta}
	missing := false
	err := s.view(func(tx *bolt.Tx) error {
		for _, name := range names {
			missing = missing || tx.Bucket(name) == nil
		}
		return nil
	})
	if err != nil || !missing {
		return err
	}
	err = s.update(func(tx *bolt.Tx) error {
		for _, name := range names {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create buckets: %w", err)
	}
	return nil
}

// view runs fn in a read transaction, turning a panic of bbolt on a
// damaged page into an error wrapping store.ErrCorrupt.
func (s *Store) view(fn func(*bolt.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s: %v", store.ErrCorrupt, filepath.Join(s.dir, dbFile), p)
		}
	}()
	return s.db.View(fn)
}

// update runs fn in a write transaction, turning a panic of bbolt into an
// error wrapping store.ErrCorrupt and a full disk into a
// store.DiskFullError.
func (s *Store) update(fn func(*bolt.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s: %v", store.ErrCorrupt, filepath.Join(s.dir, dbFile), p)
		}
	}()
	return store.DiskFull(s.dir, s.db.Update(fn))
}

// Notes says what Open repaired or could not repair, one sentence each:
// an index rebuilt and why, or left behind the records for want of space.
// Empty when the archive opened as it was.
func (s *Store) Notes() []string {
	return slices.Clone(s.notes)
}

// note logs a warning and keeps it for Notes.
func (s *Store) note(msg string, args ...any) {
	s.log.Warn(msg, args...)
	var b strings.Builder
	b.WriteString(msg)
	for i := 0; i+1 < len(args); i += 2 {
		fmt.Fprintf(&b, " %v=%v", args[i], args[i+1])
	}
	s.notes = append(s.notes, b.String())
}

// Close flushes the index and the database and releases them. Calling it
// again returns store.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	s.closed = true
	var errs []error
	if s.broken.Load() == nil { // else closed when it broke
		if err := closeIndex(s.index); err != nil {
			errs = append(errs, fmt.Errorf("bleve: close index: %w", err))
		}
	}
	if err := s.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("bleve: close database: %w", err))
	}
	return errors.Join(errs...)
}

// acquire read-locks the store for one operation; the caller must call the
// returned release. It fails with store.ErrClosed after Close and with the
// context's error when ctx is done.
func (s *Store) acquire(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, store.ErrClosed
	}
	return s.mu.RUnlock, nil
}
