package bleve

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
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
	fieldPublished = "published"
	fieldMonth     = "month"   // "2006-01" of Published in UTC, for the date facet
	fieldCluster   = "cluster" // Query.Cluster matches it or the document ID
	fieldBands     = "simhash_bands"

	// English-stemmed copies of title and text, for articles not in
	// Chinese, Japanese or Korean: "elections" finds "election".
	fieldTitleEn = "title_en"
	fieldTextEn  = "text_en"
)

// mappingVersion names the index layout; changing newMapping must change it,
// so that Open rebuilds indexes built with the old layout.
const mappingVersion = "newsarc-2"

// Keys of bleve's internal storage, written in the same batch as documents.
var (
	internalMapping = []byte("newsarc.mapping")
	internalGen     = []byte("newsarc.gen")
)

// rebuildBatch is how many articles a rebuild indexes per bleve batch.
const rebuildBatch = 1000

// newMapping returns the index layout: title and text analysed with the cjk
// analyzer (unicode words, lower-cased, CJK bigrams) and stored for
// highlighting; for articles not in a CJK language, unstored copies analysed
// with the en analyzer (stop words, Porter stems); keyword fields for filters and facets; published as a date.
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
	kw.DocValues = true

	date := blevesearch.NewDateTimeFieldMapping()
	date.Store = false
	date.IncludeInAll = false
	date.DocValues = true

	stemmed := blevesearch.NewTextFieldMapping()
	stemmed.Analyzer = en.AnalyzerName
	stemmed.Store = false
	stemmed.IncludeTermVectors = false
	stemmed.IncludeInAll = false
	stemmed.DocValues = false

	doc := blevesearch.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldTitleEn, stemmed)
	doc.AddFieldMappingsAt(fieldTextEn, stemmed)
	doc.AddFieldMappingsAt(fieldTitle, text)
	doc.AddFieldMappingsAt(fieldText, text)
	for _, f := range []string{fieldSite, fieldAuthors, fieldLanguage, fieldTags, fieldMonth, fieldCluster, fieldBands} {
		doc.AddFieldMappingsAt(f, kw)
	}
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
	if !cjkLanguage(a.Language) {
		d[fieldTitleEn], d[fieldTextEn] = a.Title, a.Text
	}
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
	if a.Cluster != "" {
		d[fieldCluster] = a.Cluster
	}
	if h, err := store.ParseSimHash(a.SimHash); err == nil {
		d[fieldBands] = store.SimHashBands(h)
	}
	if !a.Published.IsZero() {
		d[fieldPublished] = a.Published.UTC()
		d[fieldMonth] = a.Published.UTC().Format("2006-01")
	}
	return d
}

// cjkLanguage reports whether lang (BCP 47) is Chinese, Japanese or Korean.
func cjkLanguage(lang string) bool {
	primary, _, _ := strings.Cut(strings.ToLower(lang), "-")
	return primary == "zh" || primary == "ja" || primary == "ko"
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
		a.Language == b.Language && a.Published.Equal(b.Published) &&
		slices.Equal(a.Authors, b.Authors) && slices.Equal(a.Tags, b.Tags) &&
		a.Cluster == b.Cluster && a.SimHash == b.SimHash
}

// openIndex opens the index at path, or rebuilds it from db when it is
// missing, unreadable, of another mapping, or out of step with db.
func openIndex(ctx context.Context, db *bolt.DB, path string) (blevesearch.Index, error) {
	var gen uint64
	var count int
	var dirty bool
	err := db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		gen = decodeGen(meta.Get(metaGen))
		dirty = meta.Get(metaDirty) != nil
		count = tx.Bucket(bucketArticles).Stats().KeyN
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read database state: %w", err)
	}
	if _, err := os.Stat(path); err == nil {
		index, err := blevesearch.Open(path)
		if err == nil {
			if !dirty && inStep(index, gen, count) {
				return index, nil
			}
			if err := index.Close(); err != nil {
				return nil, fmt.Errorf("close stale index: %w", err)
			}
		}
		// Missing, unreadable or stale: the database is the truth.
	}
	return rebuild(ctx, db, path)
}

// inStep reports whether index was built with the current mapping and holds
// generation gen and count documents.
func inStep(index blevesearch.Index, gen uint64, count int) bool {
	m, err := index.GetInternal(internalMapping)
	if err != nil || string(m) != mappingVersion {
		return false
	}
	g, err := index.GetInternal(internalGen)
	if err != nil || decodeGen(g) != gen {
		return false
	}
	n, err := index.DocCount()
	return err == nil && n == uint64(count)
}

// rebuild replaces whatever is at path with a new index of every article in
// db, and clears the database's dirty mark.
func rebuild(ctx context.Context, db *bolt.DB, path string) (blevesearch.Index, error) {
	if err := os.RemoveAll(path); err != nil {
		return nil, fmt.Errorf("remove stale index: %w", err)
	}
	index, err := blevesearch.NewUsing(path, newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	fail := func(err error) (blevesearch.Index, error) {
		return nil, errors.Join(fmt.Errorf("rebuild index: %w", err), index.Close())
	}
	// The read transaction fixes the generation and the articles together;
	// Put cannot run yet, since the Store does not exist.
	err = db.View(func(tx *bolt.Tx) error {
		gen := tx.Bucket(bucketMeta).Get(metaGen)
		b := index.NewBatch()
		b.SetInternal(internalMapping, []byte(mappingVersion))
		err := tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
			var a store.Article
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("decode article %s: %w", k, err)
			}
			if err := b.Index(string(k), indexDoc(&a)); err != nil {
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
	if err != nil {
		return fail(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(metaDirty) })
	if err != nil {
		return fail(fmt.Errorf("clear dirty mark: %w", err))
	}
	return index, nil
}

// markDirty records that the index missed a write, so the next Open
// rebuilds it.
func markDirty(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		return tx.Bucket(bucketMeta).Put(metaDirty, stamp)
	})
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
