package bleve

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bolt "go.etcd.io/bbolt"

	"newsarc/store"
)

// Index field names.
const (
	fieldTitle     = "title"
	fieldText      = "text"
	fieldSite      = "site"
	fieldAuthors   = "authors"
	fieldLanguage  = "language"
	fieldTags      = "tags"
	fieldSection   = "section"
	fieldPublished = "published"
	fieldCluster   = "cluster"   // Query.Cluster matches it or the document ID
	fieldSortFacet = "sortfacet" // one term: the sort key and facet values (sortFacetTerm), read from doc values
	fieldBands     = "simhash_bands"
	fieldState     = "state" // flagRemoved and flagChanged, for Query.Removed and Query.Changed
)

// mappingVersion names the index layout; changing newMapping must change it,
// so that Open rebuilds indexes built with the old layout.
const mappingVersion = "newsarc-6"

// Values of fieldState.
const (
	flagRemoved = "removed" // RemovedAt is set
	flagChanged = "changed" // more than one version
)

// Keys of bleve's internal storage, written in the same batch as documents.
var (
	internalMapping = []byte("newsarc.mapping")
	internalGen     = []byte("newsarc.gen")
)

// rebuildBatch is how many articles a rebuild indexes per bleve batch.
const rebuildBatch = 1000

// newMapping returns the index layout: title and text analysed with the cjk
// analyzer (unicode words, lower-cased, CJK bigrams) and stored for
// highlighting (English stems are matched at search time: see stemmed);
// keyword fields for
// filters; published as a date, with doc values for Scan's sort; and
// fieldSortFacet, whose doc values give Search a hit's sort key and facet
// values in one read.
// Documents carry nothing else: the article itself lives in bbolt.
func newMapping() mapping.IndexMapping {
	text := blevesearch.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	text.Store = true
	text.IncludeTermVectors = true
	text.IncludeInAll = false
	text.DocValues = false

	kw := blevesearch.NewKeywordFieldMapping()
	kw.Analyzer = keyword.Name
	kw.Store = false
	kw.IncludeTermVectors = false
	kw.IncludeInAll = false
	kw.DocValues = false

	date := blevesearch.NewDateTimeFieldMapping()
	date.Store = false
	date.IncludeInAll = false
	date.DocValues = true

	doc := blevesearch.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldTitle, text)
	doc.AddFieldMappingsAt(fieldText, text)
	for _, f := range []string{fieldSite, fieldAuthors, fieldLanguage, fieldTags, fieldSection, fieldCluster, fieldBands, fieldState} {
		doc.AddFieldMappingsAt(f, kw)
	}
	packed := blevesearch.NewKeywordFieldMapping()
	packed.Analyzer = keyword.Name
	packed.Store = false
	packed.IncludeInAll = false
	packed.DocValues = true
	doc.AddFieldMappingsAt(fieldSortFacet, packed)
	doc.AddFieldMappingsAt(fieldPublished, date)

	m := blevesearch.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = cjk.AnalyzerName
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	return m
}

// indexDoc is what the index holds for an article; empty fields are left
// out so that they neither match nor appear in facets.
func indexDoc(a *store.Article) map[string]any {
	d := map[string]any{fieldTitle: a.Title, fieldText: a.Text}
	if a.Site != "" {
		d[fieldSite] = a.Site
	}
	if len(a.Authors) > 0 {
		d[fieldAuthors] = a.Authors
	}
	if a.Language != "" {
		d[fieldLanguage] = a.Language
	}
	if len(a.Tags) > 0 {
		d[fieldTags] = a.Tags
	}
	if a.Section != "" {
		d[fieldSection] = a.Section
	}
	if a.Cluster != "" {
		d[fieldCluster] = a.Cluster
	}
	var state []string
	if !a.RemovedAt.IsZero() {
		state = append(state, flagRemoved)
	}
	if a.Version > 1 {
		state = append(state, flagChanged)
	}
	if len(state) > 0 {
		d[fieldState] = state
	}
	if h, err := store.ParseSimHash(a.SimHash); err == nil {
		d[fieldBands] = store.SimHashBands(h)
	}
	if !a.Published.IsZero() {
		d[fieldPublished] = a.Published.UTC()
	}
	d[fieldSortFacet] = sortFacetTerm(a)
	return d
}

// The layout of a fieldSortFacet term: "1" and the publication time as 16
// hex digits (nanoseconds since 1970 plus 1<<63, so that the digits sort as
// the times do), or "0" and 16 zeros when undated; then, for each facet
// value, facetSep, the facet's kind (kindSite...) and the value. Values are valid UTF-8,
// which never holds facetSep nor the 0xff that separates doc values.
const (
	facetSep      = 0xfe
	sortKeyLen    = 17
	kindSite      = 's'
	kindAuthor    = 'a'
	kindLanguage  = 'l'
	kindSection   = 'c'
	kindTag       = 't'
	kindMonth     = 'm' // "2006-01" of Published in UTC
	undatedSortBy = "00000000000000000"
)

// sortFacetTerm returns a's fieldSortFacet term. A multi-valued field's
// value counts once, as in a keyword field.
func sortFacetTerm(a *store.Article) string {
	var b strings.Builder
	p := a.Published
	if p.IsZero() || p.Before(document.MinTimeRepresentable) || p.After(document.MaxTimeRepresentable) {
		b.WriteString(undatedSortBy) // as the date field, which cannot hold it
	} else {
		fmt.Fprintf(&b, "1%016x", uint64(p.UnixNano())^1<<63)
	}
	add := func(kind byte, values ...string) {
		for i, v := range values {
			if v == "" || slices.Contains(values[:i], v) {
				continue
			}
			b.WriteByte(facetSep)
			b.WriteByte(kind)
			b.WriteString(strings.ToValidUTF8(v, "\uFFFD"))
		}
	}
	add(kindSite, a.Site)
	add(kindAuthor, a.Authors...)
	add(kindLanguage, a.Language)
	add(kindSection, a.Section)
	add(kindTag, a.Tags...)
	if !p.IsZero() {
		add(kindMonth, p.UTC().Format("2006-01"))
	}
	return b.String()
}

// hasCJK reports whether s has a Han, Hiragana, Katakana or Hangul letter.
func hasCJK(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
	}) >= 0
}

// sameIndexed reports whether a and b produce the same index document.
func sameIndexed(a, b *store.Article) bool {
	return a.Title == b.Title && a.Text == b.Text && a.Site == b.Site &&
		a.Language == b.Language && a.Section == b.Section && a.Published.Equal(b.Published) &&
		slices.Equal(a.Authors, b.Authors) && slices.Equal(a.Tags, b.Tags) &&
		a.Cluster == b.Cluster && a.SimHash == b.SimHash &&
		a.RemovedAt.IsZero() == b.RemovedAt.IsZero() && (a.Version > 1) == (b.Version > 1)
}

// Names of the directories a rebuild leaves beside the index: the new
// index being built, and the old one being replaced. Both hold only what
// the records can give again, and Open removes any it finds.
const (
	rebuildSuffix = ".rebuild-"
	oldSuffix     = ".old-"
)

// openIndex opens the index, or rebuilds it from the database when it is
// missing, damaged, of another mapping, behind the database, or when force
// is set. See OpenWith.
func (s *Store) openIndex(ctx context.Context, force bool) error {
	path := filepath.Join(s.dir, indexDir)
	s.removeLeftovers()
	var gen uint64
	var count int
	var dirty bool
	err := s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		gen = decodeGen(meta.Get(metaGen))
		dirty = meta.Get(metaDirty) != nil
		count = tx.Bucket(bucketArticles).Stats().KeyN
		return nil
	})
	if err != nil {
		return fmt.Errorf("read database state: %w", err)
	}
	var old blevesearch.Index // usable, though stale
	var why string
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		why = "missing"
	} else if err := s.checkSegments(path); err != nil {
		why = fmt.Sprintf("damaged (%v)", err)
	} else if index, err := openIndexDir(path); err != nil {
		why = fmt.Sprintf("damaged (%v)", err)
	} else {
		switch {
		case force:
			why = "rebuild asked for"
		case dirty:
			why = "an index write failed after the records were written"
		case !sameLayout(index):
			why = fmt.Sprintf("built with another index layout (this version writes %s): rebuilt once", mappingVersion)
		case !inStep(index, gen, count):
			why = "behind the records"
		default:
			s.index = index
			return nil
		}
		old = index
	}
	index, err := s.rebuild(ctx, path, &old)
	if err == nil {
		s.index = index
		if why != "missing" || count > 0 || gen > 0 {
			s.note("index rebuilt from the records", "dir", s.dir, "count", count, "reason", why)
		}
		return nil
	}
	if old == nil || !errors.Is(err, store.ErrDiskFull) {
		if old != nil {
			err = errors.Join(err, closeIndex(old))
		}
		return fmt.Errorf("index %s: %s, and rebuilding it failed: %w", path, why, err)
	}
	// No room to rebuild: the index as it is still finds what it holds.
	// It stays marked for a rebuild, and takes no writes if it cannot be.
	s.index = old
	s.note("index not rebuilt: searches and exports miss what it lacks until there is room", "dir", s.dir,
		"reason", why, "err", err)
	if !dirty {
		if merr := s.markDirty(); merr != nil {
			s.refuse(fmt.Errorf("bleve: the index is behind the records and cannot be marked for a rebuild: %w", store.DiskFull(s.dir, merr)))
		}
	}
	return nil
}

// openIndexDir opens the index at path, turning a panic on a damaged file
// into an error wrapping store.ErrCorrupt. scorch's own bbolt file is
// checked first: one cut short would crash the process.
func openIndexDir(path string) (index blevesearch.Index, err error) {
	if err := store.CheckBoltFile(filepath.Join(path, "store", "root.bolt")); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			index, err = nil, fmt.Errorf("%w: index %s: panic: %v", store.ErrCorrupt, path, p)
		}
	}()
	return blevesearch.Open(path)
}

// closeIndex closes index, turning a panic into an error.
func closeIndex(index blevesearch.Index) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("close index: panic: %v", p)
		}
	}()
	return index.Close()
}

// sameLayout reports whether index was built with the current mapping.
func sameLayout(index blevesearch.Index) bool {
	m, err := index.GetInternal(internalMapping)
	return err == nil && string(m) == mappingVersion
}

// inStep reports whether index holds generation gen and count documents.
func inStep(index blevesearch.Index, gen uint64, count int) bool {
	g, err := index.GetInternal(internalGen)
	if err != nil || decodeGen(g) != gen {
		return false
	}
	n, err := index.DocCount()
	return err == nil && n == uint64(count)
}

// verifiedFile, beside the index, lists the index segments whose CRC
// checkSegments has checked, by name and size.
const verifiedFile = "index.verified"

// checkSegments checks the CRC of each segment file of the index at path
// that it has not checked before, and returns an error wrapping
// store.ErrCorrupt for the first that fails. A damaged segment can make
// the index library panic, or ask for terabytes of memory and kill the
// process, so segments are checked before the index is opened. Segment
// files are never rewritten, only replaced by new ones, so each is read
// once, when it is first seen (after the crawl that wrote it).
func (s *Store) checkSegments(path string) error {
	segs, err := filepath.Glob(filepath.Join(path, "store", "*.zap"))
	if err != nil {
		return err
	}
	listPath := filepath.Join(s.dir, verifiedFile)
	known := map[string]int64{}
	if b, err := os.ReadFile(listPath); err == nil {
		_ = json.Unmarshal(b, &known) // unreadable: every segment is checked again
	}
	checked := make(map[string]int64, len(segs))
	for _, seg := range segs {
		fi, err := os.Stat(seg)
		if err != nil {
			continue // removed by a merge since the listing
		}
		name := filepath.Base(seg)
		if size, ok := known[name]; !ok || size != fi.Size() {
			if err := checkSegment(seg); err != nil {
				// A segment the index does not use (an orphan a process
				// left while writing it) is no damage: the index library
				// deletes it. Only a live segment fails the index.
				if live, lerr := liveSegments(path); lerr == nil && !live[name] {
					s.log.Debug("index segment not in use", "segment", name, "err", err)
					continue
				}
				return err
			}
		}
		checked[name] = fi.Size()
	}
	if maps.Equal(checked, known) {
		return nil
	}
	b, err := json.Marshal(checked)
	if err == nil {
		err = writeFileAtomic(listPath, b)
	}
	if err != nil {
		// Only costs a second reading of the segments at the next Open.
		s.log.Debug("record the index segments checked", "path", listPath, "err", err)
	}
	return nil
}

// writeFileAtomic writes b to path through a temporary file and a rename.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	return os.Rename(tmp, path)
}

// removeLeftovers removes what an interrupted rebuild left beside the
// index: derived data only.
func (s *Store) removeLeftovers() {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, indexDir+rebuildSuffix) || strings.HasPrefix(name, indexDir+oldSuffix) {
			if err := os.RemoveAll(filepath.Join(s.dir, name)); err != nil {
				s.log.Warn("remove what an interrupted index rebuild left", "path", name, "err", err)
			}
		}
	}
}

// rebuildSpace is the space a rebuild of the index at path is given to
// need: twice the old index (or, without one, the database), since
// segments are written and then merged, and a margin.
func (s *Store) rebuildSpace(path string) int64 {
	size := dirSize(path)
	if size <= 0 {
		if fi, err := os.Stat(filepath.Join(s.dir, dbFile)); err == nil {
			size = fi.Size()
		}
	}
	return 2*size + 1<<20
}

// dirSize is the total size of the files under path; 0 when unreadable.
func dirSize(path string) int64 {
	var n int64
	_ = filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// rebuild builds a new index of every article in the database in a new
// directory beside path and, once it is complete, puts it in place of
// whatever is at path (*old, when open, is closed first and set to nil)
// and clears the database's dirty mark. It does not start when the disk
// lacks the space the rebuild needs (a store.DiskFullError); when the
// build fails, the new directory is removed and path is left as it was,
// *old still open.
func (s *Store) rebuild(ctx context.Context, path string, old *blevesearch.Index) (blevesearch.Index, error) {
	if err := store.CheckSpace(s.dir, s.rebuildSpace(path), 0); err != nil {
		return nil, err
	}
	tmp := fmt.Sprintf("%s%s%d", path, rebuildSuffix, time.Now().UnixNano())
	if err := s.build(ctx, tmp); err != nil {
		return nil, errors.Join(store.DiskFull(s.dir, err), os.RemoveAll(tmp))
	}
	// The old index is closed before its directory moves: scorch keeps
	// the path it was opened at, and its persister, still running, would
	// remove the files there that its own snapshot does not name, which
	// after the move are the new index's segments.
	if *old != nil {
		if err := closeIndex(*old); err != nil {
			s.log.Warn("close the replaced index", "dir", s.dir, "err", err)
		}
		*old = nil
	}
	trash := fmt.Sprintf("%s%s%d", path, oldSuffix, time.Now().UnixNano())
	moved := false
	if _, err := os.Lstat(path); err == nil {
		if err := os.Rename(path, trash); err != nil {
			return nil, errors.Join(fmt.Errorf("move the old index aside: %w", err), os.RemoveAll(tmp))
		}
		moved = true
	}
	if err := os.Rename(tmp, path); err != nil {
		err = fmt.Errorf("put the new index in place: %w", err)
		if moved {
			err = errors.Join(err, os.Rename(trash, path))
		}
		return nil, errors.Join(err, os.RemoveAll(tmp))
	}
	if err := syncDir(s.dir); err != nil {
		s.log.Warn("sync the archive directory after an index rebuild", "dir", s.dir, "err", err)
	}
	if moved {
		if err := os.RemoveAll(trash); err != nil {
			s.log.Warn("remove the replaced index", "path", trash, "err", err)
		}
	}
	// The new segments may share names with the old ones.
	if err := os.Remove(filepath.Join(s.dir, verifiedFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("forget the replaced index's segments", "dir", s.dir, "err", err)
	}
	if err := s.checkSegments(path); err != nil {
		return nil, fmt.Errorf("check the rebuilt index: %w", err)
	}
	index, err := openIndexDir(path)
	if err != nil {
		return nil, fmt.Errorf("open the rebuilt index: %w", err)
	}
	if err := s.update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta.Get(metaDirty) == nil {
			return nil
		}
		return meta.Delete(metaDirty)
	}); err != nil {
		return nil, errors.Join(fmt.Errorf("clear dirty mark: %w", err), closeIndex(index))
	}
	return index, nil
}

// build writes a new index of every article in the database at path, and
// closes it. A record that does not decode is indexed by its ID alone, so
// that it is found (and reported damaged) by Scan and the index keeps
// the database's count.
func (s *Store) build(ctx context.Context, path string) (err error) {
	index, err := blevesearch.NewUsing(path, newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("build index: panic: %v", p)
		}
		if cerr := closeIndex(index); err == nil && cerr != nil {
			err = fmt.Errorf("close new index: %w", cerr)
		}
	}()
	// The read transaction fixes the generation and the articles together;
	// Put cannot run yet, since the Store is not open.
	return s.view(func(tx *bolt.Tx) error {
		gen := tx.Bucket(bucketMeta).Get(metaGen)
		b := index.NewBatch()
		b.SetInternal(internalMapping, []byte(mappingVersion))
		err := tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
			doc := map[string]any{}
			if a, err := decodeArticle(v); err != nil {
				s.log.Warn("record unreadable: indexed by its ID alone", "id", string(k), "err", err)
			} else {
				doc = indexDoc(a)
			}
			if err := b.Index(string(k), doc); err != nil {
				return fmt.Errorf("index article %s: %w", k, err)
			}
			if b.Size() < rebuildBatch {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := index.Batch(b); err != nil {
				return err
			}
			b.Reset()
			return nil
		})
		if err != nil {
			return err
		}
		if gen != nil {
			b.SetInternal(internalGen, bytes.Clone(gen))
		}
		return index.Batch(b)
	})
}

// syncDir makes renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// markDirty records that the index missed a write, so the next Open
// rebuilds it.
func (s *Store) markDirty() error {
	return s.update(func(tx *bolt.Tx) error {
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		return tx.Bucket(bucketMeta).Put(metaDirty, stamp)
	})
}

// breakIndex records err as the reason the index may no longer be used,
// marks the archive for a rebuild and closes the index, whose background
// work could otherwise meet the same fault. The first reason stays.
func (s *Store) breakIndex(err error) {
	if !s.broken.CompareAndSwap(nil, &err) {
		return
	}
	s.log.Error("index unusable until the archive is reopened", "dir", s.dir, "err", err)
	if merr := s.markDirty(); merr != nil {
		s.log.Warn("mark the index for a rebuild", "dir", s.dir, "err", merr)
	}
	if cerr := closeIndex(s.index); cerr != nil {
		s.log.Warn("close the unusable index", "dir", s.dir, "err", cerr)
	}
}

// indexUnusable returns why the index may not be used, or nil.
func (s *Store) indexUnusable() error {
	if p := s.broken.Load(); p != nil {
		return fmt.Errorf("index unusable until the archive is reopened (and rebuilt): %w", *p)
	}
	return nil
}

// refuse records err as the reason Put refuses writes. The first reason
// stays.
func (s *Store) refuse(err error) {
	s.refused.CompareAndSwap(nil, &err)
}

func decodeGen(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func encodeGen(g uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, g)
}

// liveSegments lists the segment files that the index at path uses, as its
// root.bolt names them (the snapshots bucket "s"; in each snapshot, one
// bucket per segment with its file name under "p"; "i" is not a segment).
func liveSegments(path string) (live map[string]bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			live, err = nil, fmt.Errorf("%w: read index root: %v", store.ErrCorrupt, p)
		}
	}()
	root := filepath.Join(path, "store", "root.bolt")
	if err := store.CheckBoltFile(root); err != nil {
		return nil, err
	}
	db, err := bolt.Open(root, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	live = map[string]bool{}
	err = db.View(func(tx *bolt.Tx) error {
		snaps := tx.Bucket([]byte{'s'})
		if snaps == nil {
			return nil
		}
		return snaps.ForEach(func(k, _ []byte) error {
			snap := snaps.Bucket(k)
			if snap == nil {
				return nil
			}
			return snap.ForEach(func(sk, _ []byte) error {
				if len(sk) > 0 && sk[0] == 'i' {
					return nil
				}
				if seg := snap.Bucket(sk); seg != nil {
					if p := seg.Get([]byte{'p'}); p != nil {
						live[filepath.Base(string(p))] = true
					}
				}
				return nil
			})
		})
	})
	return live, err
}
