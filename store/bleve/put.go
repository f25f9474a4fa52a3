package bleve

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"newsarc/store"
)

// Put inserts or updates articles by ID, in one bbolt transaction followed
// by one index batch, and reports per article whether it was created,
// updated (new ContentHash: the old record becomes a version and Version
// goes up by one) or unchanged (the record is refreshed with the new fetch
// and metadata, Version kept). An empty ContentHash is computed from Text.
// A non-empty Raw is kept, gzip-compressed, for the resulting version.
// Articles repeated in one call are applied in order. Put does not modify
// the articles it is given.
//
// When the index write fails after the database committed, the archive is
// marked so that the next Open rebuilds the index, and Put returns the error.
func (s *Store) Put(ctx context.Context, articles ...*store.Article) ([]store.Change, error) {
	n := len(articles)
	for i, a := range articles {
		if a == nil || a.ID == "" {
			return nil, fmt.Errorf("bleve: put %d articles: article %d has no id", n, i)
		}
	}
	s.putMu.Lock()
	defer s.putMu.Unlock()
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("bleve: put %d articles: %w", n, err)
	}
	defer release()

	changes := make([]store.Change, n)
	docs := make(map[string]*store.Article) // to (re)index, last write per ID
	var gen uint64
	err = s.db.Update(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bucketArticles)
		for i, a := range articles {
			rec := *a
			rec.Raw = nil
			if rec.ContentHash == "" {
				rec.ContentHash = store.HashText(rec.Text)
			}
			old, err := decodeArticle(cur.Get([]byte(a.ID)))
			if err != nil {
				return fmt.Errorf("decode stored %s: %w", a.ID, err)
			}
			switch {
			case old == nil:
				changes[i], rec.Version = store.Created, 1
			case old.ContentHash != rec.ContentHash:
				changes[i], rec.Version = store.Updated, old.Version+1
				if err := putVersion(tx, old); err != nil {
					return err
				}
			default:
				changes[i], rec.Version = store.Unchanged, old.Version
			}
			v, err := json.Marshal(&rec)
			if err != nil {
				return fmt.Errorf("encode %s: %w", a.ID, err)
			}
			if err := cur.Put([]byte(a.ID), v); err != nil {
				return fmt.Errorf("write %s: %w", a.ID, err)
			}
			if len(a.Raw) > 0 {
				if err := putRaw(tx, a.ID, rec.Version, a.Raw); err != nil {
					return err
				}
			}
			if old == nil || !sameIndexed(old, &rec) {
				docs[a.ID] = &rec
			}
		}
		if len(docs) == 0 {
			return nil
		}
		meta := tx.Bucket(bucketMeta)
		gen = decodeGen(meta.Get(metaGen)) + 1
		return meta.Put(metaGen, encodeGen(gen))
	})
	if err != nil {
		return nil, fmt.Errorf("bleve: put %d articles: %w", n, err)
	}
	if len(docs) == 0 {
		return changes, nil
	}

	b := s.index.NewBatch()
	for id, a := range docs {
		if err := b.Index(id, indexDoc(a)); err != nil {
			return nil, s.indexFailed(n, err)
		}
	}
	b.SetInternal(internalGen, encodeGen(gen))
	if err := s.index.Batch(b); err != nil {
		return nil, s.indexFailed(n, err)
	}
	return changes, nil
}

// indexFailed marks the archive for an index rebuild and returns the error
// for a Put of n articles whose index write failed.
func (s *Store) indexFailed(n int, err error) error {
	err = fmt.Errorf("bleve: put %d articles: index: %w", n, err)
	if merr := markDirty(s.db); merr != nil {
		err = errors.Join(err, fmt.Errorf("bleve: mark index for rebuild: %w", merr))
	}
	return err
}

// Get returns the current version of an article, without Raw, or an error
// wrapping store.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (*store.Article, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("bleve: get %s: %w", id, err)
	}
	defer release()
	var a *store.Article
	err = s.db.View(func(tx *bolt.Tx) error {
		a, err = decodeArticle(tx.Bucket(bucketArticles).Get([]byte(id)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bleve: get %s: %w", id, err)
	}
	if a == nil {
		return nil, fmt.Errorf("bleve: get %s: %w", id, store.ErrNotFound)
	}
	return a, nil
}

// Versions returns the earlier versions of an article, oldest first (empty
// when it never changed), or an error wrapping store.ErrNotFound.
func (s *Store) Versions(ctx context.Context, id string) ([]*store.Article, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("bleve: versions of %s: %w", id, err)
	}
	defer release()
	versions := []*store.Article{}
	found := false
	err = s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketArticles).Get([]byte(id)) == nil {
			return nil
		}
		found = true
		prefix := versionPrefix(id)
		c := tx.Bucket(bucketVersions).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			a, err := decodeArticle(v)
			if err != nil {
				return fmt.Errorf("decode version %x: %w", k, err)
			}
			versions = append(versions, a)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bleve: versions of %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("bleve: versions of %s: %w", id, store.ErrNotFound)
	}
	return versions, nil
}

// Raw returns the raw response body kept for the current version of an
// article, or an error wrapping store.ErrNotFound when there is no such
// article or no body was kept for its current version.
func (s *Store) Raw(ctx context.Context, id string) ([]byte, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("bleve: raw of %s: %w", id, err)
	}
	defer release()
	var compressed []byte
	err = s.db.View(func(tx *bolt.Tx) error {
		a, err := decodeArticle(tx.Bucket(bucketArticles).Get([]byte(id)))
		if err != nil || a == nil {
			return err
		}
		compressed = bytes.Clone(tx.Bucket(bucketRaw).Get(versionKey(id, a.Version)))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bleve: raw of %s: %w", id, err)
	}
	if compressed == nil {
		return nil, fmt.Errorf("bleve: raw of %s: %w", id, store.ErrNotFound)
	}
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, fmt.Errorf("bleve: raw of %s: %w", id, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("bleve: raw of %s: %w", id, err)
	}
	return raw, nil
}

// putVersion keeps old as an earlier version of its article.
func putVersion(tx *bolt.Tx, old *store.Article) error {
	v, err := json.Marshal(old)
	if err != nil {
		return fmt.Errorf("encode version %d of %s: %w", old.Version, old.ID, err)
	}
	if err := tx.Bucket(bucketVersions).Put(versionKey(old.ID, old.Version), v); err != nil {
		return fmt.Errorf("write version %d of %s: %w", old.Version, old.ID, err)
	}
	return nil
}

// putRaw keeps raw, gzip-compressed, for one version of an article.
func putRaw(tx *bolt.Tx, id string, version int, raw []byte) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		return fmt.Errorf("compress raw of %s: %w", id, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress raw of %s: %w", id, err)
	}
	if err := tx.Bucket(bucketRaw).Put(versionKey(id, version), buf.Bytes()); err != nil {
		return fmt.Errorf("write raw of %s: %w", id, err)
	}
	return nil
}

// versionPrefix is the key prefix of every version of id; keys sort by
// version within it.
func versionPrefix(id string) []byte {
	return append([]byte(id), 0)
}

func versionKey(id string, version int) []byte {
	return binary.BigEndian.AppendUint32(versionPrefix(id), uint32(version))
}

// decodeArticle decodes a stored record; nil in, nil out.
func decodeArticle(v []byte) (*store.Article, error) {
	if v == nil {
		return nil, nil
	}
	var a store.Article
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
