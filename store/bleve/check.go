package bleve

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bolt "go.etcd.io/bbolt"

	"newsarc/store"
)

// Parts of an archive a Problem concerns.
const (
	PartDatabase = "database" // articles.db as a file: not readable, or bbolt's consistency check fails
	PartRecord   = "record"   // a current article record
	PartVersion  = "version"  // an earlier version of an article
	PartRaw      = "raw"      // a kept raw body
	PartIndex    = "index"    // the search index, which OpenWith with Rebuild rebuilds from the records
	PartLinks    = "links"    // the near-duplicate table, which OpenWith with RebuildLinks rebuilds from the records
)

// Problem is one fault Check found.
type Problem struct {
	Part   string // one of the Part constants
	ID     string // the article concerned, "" for a whole file
	Detail string
}

func (p Problem) String() string {
	if p.ID == "" {
		return p.Part + ": " + p.Detail
	}
	return p.Part + " " + p.ID + ": " + p.Detail
}

// Report is what Check found in an archive.
type Report struct {
	Records  int // current article records read
	Versions int // earlier versions read
	Raw      int // raw bodies read
	Indexed  int // documents in the index; -1 when it cannot be read
	Problems []Problem
}

// OnlyIndex reports whether every problem concerns the index or the
// near-duplicate table, which a rebuild from the records repairs.
func (r *Report) OnlyIndex() bool {
	for _, p := range r.Problems {
		if p.Part != PartIndex && p.Part != PartLinks {
			return false
		}
	}
	return true
}

func (r *Report) add(part, id, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Part: part, ID: id, Detail: fmt.Sprintf(format, args...)})
}

// Check verifies the archive in dir and changes nothing: that articles.db
// is whole and passes bbolt's consistency check; that every record,
// earlier version and raw body reads back (each text matching its content
// hash, each raw body its gzip checksum); that the index files are whole
// (scorch's bbolt file, and each segment's CRC); and that the index holds
// exactly the records' IDs, at the records' generation; and that the
// near-duplicate table holds exactly each record's SimHash, group,
// original and date.
//
// fn, when not nil, is called with each current record that decodes
// (Damage set when its text does not match its content hash), so that a
// caller can check more of it in the same pass; its error stops Check.
//
// Faults are reported in the Report; the error is for a Check that could
// not run: no archive in dir, the archive in use by another process (a
// crawl: bbolt allows one writer, and Check waits for it a few seconds),
// or fn's error.
func Check(ctx context.Context, dir string, fn func(*store.Article) error) (*Report, error) {
	r := &Report{Indexed: -1}
	dbPath := filepath.Join(dir, dbFile)
	if _, err := os.Stat(dbPath); err != nil {
		return nil, fmt.Errorf("bleve: check %s: no archive: %w", dir, err)
	}
	if err := store.CheckBoltFile(dbPath); err != nil {
		r.add(PartDatabase, "", "%v", err)
		return r, nil
	}
	db, err := openDB(dbPath, true)
	if errors.Is(err, store.ErrCorrupt) {
		r.add(PartDatabase, "", "%v", err)
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bleve: check %s: %w", dir, err)
	}
	defer db.Close()
	s := &Store{dir: dir, db: db}
	ids := map[string]bool{}
	gen, done, err := s.checkDB(ctx, r, ids, fn)
	if done {
		return r, err
	}
	checkIndex(ctx, filepath.Join(dir, indexDir), gen, ids, r)
	return r, ctx.Err()
}

// checkDB checks the records and versions of s into r, collecting the
// records' IDs. done reports that the check ends here, with err.
func (s *Store) checkDB(ctx context.Context, r *Report, ids map[string]bool, fn func(*store.Article) error) (gen uint64, done bool, err error) {
	var dirty bool
	err = s.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			r.add(PartDatabase, "", "%v", err)
		}
		for _, name := range [][]byte{bucketArticles, bucketVersions, bucketRaw, bucketMeta} {
			if tx.Bucket(name) == nil {
				r.add(PartDatabase, "", "bucket %s missing", name)
				return nil
			}
		}
		meta := tx.Bucket(bucketMeta)
		gen = decodeGen(meta.Get(metaGen))
		dirty = meta.Get(metaDirty) != nil
		links := tx.Bucket(bucketLinks)
		switch {
		case links == nil:
			r.add(PartLinks, "", "missing: the next open of the archive builds it from the records")
		case decodeGen(meta.Get(metaLinksGen)) != gen || meta.Get(metaLinksGen) == nil:
			r.add(PartLinks, "", "at generation %d, the records at %d: it missed writes", decodeGen(meta.Get(metaLinksGen)), gen)
		}
		if err := checkRecords(ctx, tx, r, ids, fn); err != nil {
			return err
		}
		if links != nil {
			if err := checkLinkExtras(ctx, links, ids, r); err != nil {
				return err
			}
		}
		return checkVersions(ctx, tx, r)
	})
	var fnErr *callerError
	if errors.As(err, &fnErr) {
		return gen, true, fnErr.err
	}
	if errors.Is(err, ctx.Err()) && err != nil {
		return gen, true, err
	}
	if err != nil {
		r.add(PartDatabase, "", "%v", err)
		return gen, true, nil
	}
	if dirty {
		r.add(PartIndex, "", "marked for a rebuild: an index write failed after the records were written")
	}
	return gen, false, nil
}

// Check verifies the open archive s while it is in use, as the package's
// Check verifies a closed one: writes wait until it is done. The index is
// checked through the open index (layout, generation, IDs); the checksums
// of its files, which need it closed, are left to the package's Check.
func (s *Store) Check(ctx context.Context, fn func(*store.Article) error) (*Report, error) {
	s.putMu.Lock()
	defer s.putMu.Unlock()
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("bleve: check %s: %w", s.dir, err)
	}
	defer release()
	r := &Report{Indexed: -1}
	ids := map[string]bool{}
	gen, done, err := s.checkDB(ctx, r, ids, fn)
	if done {
		return r, err
	}
	if p := s.broken.Load(); p != nil {
		s.checkLinkIndex(r)
		r.add(PartIndex, "", "unusable since a write failed: %v", *p)
		return r, ctx.Err()
	}
	s.checkLinkIndex(r)
	checkIndexContent(ctx, s.index, gen, ids, r)
	return r, ctx.Err()
}

// callerError carries the error of Check's fn out of the transaction.
type callerError struct{ err error }

func (e *callerError) Error() string { return e.err.Error() }

func checkRecords(ctx context.Context, tx *bolt.Tx, r *Report, ids map[string]bool, fn func(*store.Article) error) error {
	return tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		id := string(k)
		ids[id] = true
		r.Records++
		a, err := decodeArticle(v)
		if err != nil {
			r.add(PartRecord, id, "%v", err)
			return nil
		}
		if a.ID != id {
			r.add(PartRecord, id, "the record names another ID, %q", a.ID)
		}
		if links := tx.Bucket(bucketLinks); links != nil {
			checkLinkEntry(links, id, a, r)
		}
		if !a.MarkDamage() {
			r.add(PartRecord, id, "%s", a.Damage)
		}
		if fn != nil {
			if err := fn(a); err != nil {
				return &callerError{err}
			}
		}
		return nil
	})
}

func checkVersions(ctx context.Context, tx *bolt.Tx, r *Report) error {
	err := tx.Bucket(bucketVersions).ForEach(func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.Versions++
		id, _, _ := strings.Cut(string(k), "\x00")
		a, err := decodeArticle(v)
		if err != nil {
			r.add(PartVersion, id, "version %d: %v", versionOf(k), err)
		} else if !a.MarkDamage() {
			r.add(PartVersion, id, "version %d: %s", versionOf(k), a.Damage)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tx.Bucket(bucketRaw).ForEach(func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.Raw++
		if _, err := gunzip(v); err != nil {
			id, _, _ := strings.Cut(string(k), "\x00")
			r.add(PartRaw, id, "raw body of version %d: %v", versionOf(k), err)
		}
		return nil
	})
}

// checkIndex checks the index at path against the records' IDs and
// generation.
func checkIndex(ctx context.Context, path string, gen uint64, ids map[string]bool, r *Report) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		r.add(PartIndex, "", "missing")
		return
	}
	if err := store.CheckBoltFile(filepath.Join(path, "store", "root.bolt")); err != nil {
		r.add(PartIndex, "", "%v", err)
		return
	}
	segs, _ := filepath.Glob(filepath.Join(path, "store", "*.zap"))
	live, lerr := liveSegments(path)
	bad := false
	for _, seg := range segs {
		if lerr == nil && !live[filepath.Base(seg)] {
			continue // an orphan the index does not use, deleted by it in time
		}
		if err := checkSegment(seg); err != nil {
			r.add(PartIndex, "", "%v", err)
			bad = true
		}
	}
	if bad {
		return // opening a damaged segment may crash
	}
	index, err := openIndexReadOnly(path)
	if err != nil {
		r.add(PartIndex, "", "does not open: %v", err)
		return
	}
	defer closeIndex(index)
	checkIndexContent(ctx, index, gen, ids, r)
}

// checkIndexContent checks an open index against the records' IDs and
// generation.
func checkIndexContent(ctx context.Context, index blevesearch.Index, gen uint64, ids map[string]bool, r *Report) {
	if m, err := index.GetInternal(internalMapping); err != nil || string(m) != mappingVersion {
		r.add(PartIndex, "", "built with another layout (%q, want %q)", m, mappingVersion)
	}
	if g, err := index.GetInternal(internalGen); err != nil || decodeGen(g) != gen {
		r.add(PartIndex, "", "at generation %d, the records at %d: it missed writes", decodeGen(g), gen)
	}
	indexed, err := indexIDs(ctx, index)
	if err != nil {
		r.add(PartIndex, "", "cannot be read: %v", err)
		return
	}
	r.Indexed = len(indexed)
	var missing, extra []string
	for id := range ids {
		if !indexed[id] {
			missing = append(missing, id)
		}
	}
	for id := range indexed {
		if !ids[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	for _, id := range missing {
		r.add(PartIndex, id, "record not in the index: searches and exports miss it")
	}
	for _, id := range extra {
		r.add(PartIndex, id, "indexed, but no record has this ID")
	}
}

// checkSegment checks a zap segment file's CRC-32, which covers every byte
// before it, at the end of the file.
func checkSegment(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("segment %s: %w", filepath.Base(path), err)
	}
	if len(b) < 4 {
		return fmt.Errorf("%w: segment %s: %d bytes", store.ErrCorrupt, filepath.Base(path), len(b))
	}
	if got, want := crc32.ChecksumIEEE(b[:len(b)-4]), binary.BigEndian.Uint32(b[len(b)-4:]); got != want {
		return fmt.Errorf("%w: segment %s: CRC %08x, the file says %08x", store.ErrCorrupt, filepath.Base(path), got, want)
	}
	return nil
}

// openIndexReadOnly opens the index at path without writing to it.
func openIndexReadOnly(path string) (index blevesearch.Index, err error) {
	defer func() {
		if p := recover(); p != nil {
			index, err = nil, fmt.Errorf("%w: index %s: panic: %v", store.ErrCorrupt, path, p)
		}
	}()
	return blevesearch.OpenUsing(path, map[string]any{"read_only": true})
}

// indexIDs returns the IDs of every document in index.
func indexIDs(ctx context.Context, index blevesearch.Index) (ids map[string]bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: panic: %v", store.ErrCorrupt, p)
		}
	}()
	ids = map[string]bool{}
	var after []string
	for {
		req := blevesearch.NewSearchRequestOptions(query.NewMatchAllQuery(), 1000, 0, false)
		req.SortByCustom(search.SortOrder{&search.SortDocID{}})
		req.Score = "none"
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := index.SearchInContext(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			ids[h.ID] = true
		}
		if len(res.Hits) < 1000 {
			return ids, nil
		}
		after = res.Hits[len(res.Hits)-1].Sort
	}
}
