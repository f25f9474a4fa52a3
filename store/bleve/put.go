package bleve

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"newsarc/store"
)

// Put inserts or updates articles by ID, in one bbolt transaction (the
// records and their near-duplicate table entries) followed by one index
// batch, and reports per article whether it was created,
// updated (new ContentHash: the old record becomes a version and Version
// goes up by one) or unchanged (the record is refreshed with the new fetch
// and metadata, Version kept). An empty ContentHash is computed from Text.
// A non-empty Raw is kept, gzip-compressed, for the resulting version.
// Articles repeated in one call are applied in order. Put does not modify
// the articles it is given.
//
// Put refuses, with an error wrapping store.ErrCorrupt, an article read
// damaged (Damage set): storing it would make the damage look archived.
//
// A Put that would leave less than Options.MinFree free on the disk fails
// with a store.DiskFullError before writing anything; one that meets a
// full disk all the same fails with one too. When the index write fails
// after the database committed (the records are then stored, but not yet
// searchable), the archive is marked so that the next Open rebuilds the
// index, the index is not used again until then, and Put returns the error.
func (s *Store) Put(ctx context.Context, articles ...*store.Article) ([]store.Change, error) {
	n := len(articles)
	var size int64
	for i, a := range articles {
		if a == nil || a.ID == "" {
			return nil, fmt.Errorf("bleve: put %d articles: article %d has no id", n, i)
		}
		if a.Damage != "" {
			return nil, fmt.Errorf("bleve: put %d articles: %w: article %s was read damaged (%s)", n, store.ErrCorrupt, a.ID, a.Damage)
		}
		size += putSize(a)
	}
	s.putMu.Lock()
	defer s.putMu.Unlock()
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("bleve: put %d articles: %w", n, err)
	}
	defer release()
	if p := s.refused.Load(); p != nil {
		return nil, fmt.Errorf("bleve: put %d articles: %w", n, *p)
	}
	if err := s.indexUnusable(); err != nil {
		return nil, fmt.Errorf("bleve: put %d articles: %w", n, err)
	}
	if err := store.CheckSpace(s.dir, size, s.minFree); err != nil {
		return nil, fmt.Errorf("bleve: put %d articles: %w", n, err)
	}

	changes := make([]store.Change, n)
	docs := make(map[string]*store.Article) // to (re)index, last write per ID
	links := make(map[string]store.LinkRecord, n)
	var gen uint64
	err = s.update(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bucketArticles)
		for i, a := range articles {
			rec := *a
			rec.Raw = nil
			rec.Damage = ""
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
			links[a.ID] = store.LinkOf(&rec)
		}
		if err := s.putLinks(tx, links); err != nil {
			return err
		}
		if len(docs) == 0 {
			return nil
		}
		meta := tx.Bucket(bucketMeta)
		gen = decodeGen(meta.Get(metaGen)) + 1
		if err := meta.Put(metaGen, encodeGen(gen)); err != nil {
			return err
		}
		if s.linksStale {
			return nil // the table stays behind, and the next Open rebuilds it
		}
		return meta.Put(metaLinksGen, encodeGen(gen))
	})
	if err != nil {
		return nil, fmt.Errorf("bleve: put %d articles: %w", n, err)
	}
	s.setLinks(links)
	if len(docs) == 0 {
		return changes, nil
	}

	if err := s.indexBatch(docs, gen); err != nil {
		err = fmt.Errorf("bleve: put %d articles: stored, but not indexed: %w", n, store.DiskFull(s.dir, err))
		s.breakIndex(err)
		return nil, err
	}
	return changes, nil
}

// indexBatch indexes docs and sets the index generation to gen, in one
// batch, turning a panic of the index into an error.
func (s *Store) indexBatch(docs map[string]*store.Article, gen uint64) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("index: panic: %v", p)
		}
	}()
	b := s.index.NewBatch()
	for id, a := range docs {
		if err := b.Index(id, indexDoc(a)); err != nil {
			return fmt.Errorf("index %s: %w", id, err)
		}
	}
	b.SetInternal(internalGen, encodeGen(gen))
	if err := s.index.Batch(b); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

// putSize is a rough bound of the disk space a Put of a takes: the record
// (text and HTML), an earlier version it may keep, the raw body, pages
// rewritten around them, and the index's copy of the text.
func putSize(a *store.Article) int64 {
	return 4*int64(len(a.Text)) + 2*int64(len(a.HTML)) + int64(len(a.Raw)) + 16<<10
}

// Get returns the current version of an article, without Raw, or an error
// wrapping store.ErrNotFound. A record whose text does not match its
// content hash comes with Damage set; one that does not decode gives an
// error wrapping store.ErrCorrupt.
func (s *Store) Get(ctx context.Context, id string) (*store.Article, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("bleve: get %s: %w", id, err)
	}
	defer release()
	var a *store.Article
	err = s.view(func(tx *bolt.Tx) error {
		a, err = decodeArticle(tx.Bucket(bucketArticles).Get([]byte(id)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bleve: get %s: %w", id, err)
	}
	if a == nil {
		return nil, fmt.Errorf("bleve: get %s: %w", id, store.ErrNotFound)
	}
	s.verify(a)
	return a, nil
}

// verify checks a read record against its content hash and marks it
// damaged (Article.Damage) when it fails, with a warning.
func (s *Store) verify(a *store.Article) {
	if !a.MarkDamage() {
		s.log.Warn("damaged record", "id", a.ID, "url", a.URL, "err", a.Damage)
	}
}

// Versions returns the earlier versions of an article, oldest first (empty
// when it never changed), or an error wrapping store.ErrNotFound. Damaged
// versions come with Damage set, as from Get; one that does not decode
// has only ID, Version and Damage.
func (s *Store) Versions(ctx context.Context, id string) ([]*store.Article, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("bleve: versions of %s: %w", id, err)
	}
	defer release()
	versions := []*store.Article{}
	found := false
	err = s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketArticles).Get([]byte(id)) == nil {
			return nil
		}
		found = true
		prefix := versionPrefix(id)
		c := tx.Bucket(bucketVersions).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			a, err := decodeArticle(v)
			if err != nil {
				s.log.Warn("damaged record", "id", id, "version", versionOf(k), "err", err)
				a = store.Unreadable(id, err)
				a.Version = versionOf(k)
			}
			s.verify(a)
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
	err = s.view(func(tx *bolt.Tx) error {
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
	raw, err := gunzip(compressed)
	if err != nil {
		return nil, fmt.Errorf("bleve: raw of %s: %w: %w", id, store.ErrCorrupt, err)
	}
	return raw, nil
}

// gunzip decompresses a raw body as putRaw stored it, checking its CRC.
func gunzip(compressed []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
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

// versionOf returns the version number of a version key.
func versionOf(key []byte) int {
	if len(key) < 4 {
		return 0
	}
	return int(binary.BigEndian.Uint32(key[len(key)-4:]))
}

// decodeArticle decodes a stored record; nil in, nil out. A record that
// does not decode gives an error wrapping store.ErrCorrupt.
func decodeArticle(v []byte) (*store.Article, error) {
	if v == nil {
		return nil, nil
	}
	var a store.Article
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", store.ErrCorrupt, store.DamageUnreadable, err)
	}
	return &a, nil
}
