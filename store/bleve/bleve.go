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
	"os"
	"path/filepath"
	"sync"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	bolt "go.etcd.io/bbolt"

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

	db    *bolt.DB
	index blevesearch.Index
}

// Open opens the archive in dir, creating dir and an empty archive when
// needed. When the index is missing, unreadable, built with another
// mapping, or behind the database (a crash between the two writes of a
// Put), Open rebuilds it from the database before returning.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bleve: open %s: %w", dir, err)
	}
	db, err := bolt.Open(filepath.Join(dir, dbFile), 0o600, &bolt.Options{Timeout: lockWait})
	if err != nil {
		return nil, fmt.Errorf("bleve: open %s: %w", dir, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketArticles, bucketVersions, bucketRaw, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("bleve: open %s: create buckets: %w", dir, err), db.Close())
	}
	index, err := openIndex(ctx, db, filepath.Join(dir, indexDir))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("bleve: open %s: %w", dir, err), db.Close())
	}
	return &Store{db: db, index: index}, nil
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
	if err := s.index.Close(); err != nil {
		errs = append(errs, fmt.Errorf("bleve: close index: %w", err))
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
