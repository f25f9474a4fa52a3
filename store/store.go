// Package store is newsarc's shared vocabulary: the archived Article, the
// Store interface every backend implements, search queries and results, and
// the errors callers branch on. It depends on the standard library only;
// backends live in subpackages (store/bleve, store/elastic).
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Article is one news article as extracted from one fetch.
type Article struct {
	ID           string    `json:"id"`            // stable: hash of the canonical URL
	URL          string    `json:"url"`           // the URL the page was fetched from (after redirects)
	CanonicalURL string    `json:"canonical_url"` // canonical URL (rel=canonical, og:url, or URL)
	Site         string    `json:"site"`          // site name from the config (host by default)
	Title        string    `json:"title"`
	Subtitle     string    `json:"subtitle,omitempty"`
	Authors      []string  `json:"authors,omitempty"`
	Editor       string    `json:"editor,omitempty"`    // 责任编辑
	Source       string    `json:"source,omitempty"`    // 来源, for reprints
	Publisher    string    `json:"publisher,omitempty"` // publisher or site name
	Published    time.Time `json:"published_at"`        // zero when unknown
	Modified     time.Time `json:"modified_at"`         // zero when unknown
	Language     string    `json:"language,omitempty"`  // BCP 47 primary tag, e.g. "zh", "en"
	Section      string    `json:"section,omitempty"`
	Tags         []string  `json:"tags,omitempty"`
	Description  string    `json:"description,omitempty"`
	TopImage     string    `json:"top_image,omitempty"`
	Images       []Image   `json:"images,omitempty"`
	Text         string    `json:"text"`           // clean body text, paragraphs separated by blank lines
	HTML         string    `json:"html,omitempty"` // clean body HTML
	WordCount    int       `json:"word_count"`     // words, counting each CJK character as one
	ContentHash  string    `json:"content_hash"`   // HashText(Text): decides "changed?" on recrawl; checked on read
	FetchedAt    time.Time `json:"fetched_at"`
	Version      int       `json:"version"`             // 1 for the first capture, +1 per change
	RemovedAt    time.Time `json:"removed_at,omitzero"` // set when the page later answered 404/410
	Capture      Capture   `json:"capture,omitzero"`

	// SimHash is the 64-bit SimHash of Text as 16 hex digits (see
	// FormatSimHash); near-duplicates differ in few bits.
	SimHash string `json:"simhash,omitempty"`
	// Cluster groups an article with its near-duplicates (reprints of it
	// on other sites, copies under another URL): every member carries the
	// ID of the group's first archived article. An article with no known
	// near-duplicate carries its own ID; empty when never linked.
	Cluster string `json:"cluster,omitempty"`
	// DuplicateOf is the ID of the earlier archived article this one
	// nearly repeats (the nearest by SimHash); empty for originals.
	DuplicateOf string `json:"duplicate_of,omitempty"`

	// Provenance records where each metadata field came from: field name
	// (as in the JSON tags) to one of json-ld, opengraph, meta, time-tag,
	// text or url.
	Provenance map[string]string `json:"provenance,omitempty"`

	// Raw is the response body as received. Backends that keep raw
	// captures persist it; it is not part of the JSON record.
	Raw []byte `json:"-"`

	// Damage is set by a backend that read a record failing its check,
	// and says what is wrong: the text no longer matches ContentHash
	// (prefix DamageHash), or the record could not be decoded at all
	// (prefix DamageUnreadable; then only ID is known). It is empty for a
	// sound record, never stored, and whoever serves a damaged record must
	// say so.
	Damage string `json:"damage,omitempty"`
}

// Prefixes of Article.Damage.
const (
	DamageHash       = "content_hash mismatch"
	DamageUnreadable = "unreadable record"
)

// Verify checks that a's Text is the text that was archived: that it
// hashes to a.ContentHash. It returns an error wrapping ErrCorrupt when
// not; an article without a ContentHash passes.
func (a *Article) Verify() error {
	if a.ContentHash == "" {
		return nil
	}
	if h := HashText(a.Text); h != a.ContentHash {
		return fmt.Errorf("%w: article %s: %s: text hashes to %s, content_hash is %s", ErrCorrupt, a.ID, DamageHash, h, a.ContentHash)
	}
	return nil
}

// MarkDamage verifies a (see Verify) and sets a.Damage when it fails. It
// reports whether a is sound.
func (a *Article) MarkDamage() bool {
	if a.Verify() == nil {
		return true
	}
	a.Damage = fmt.Sprintf("%s: the text is not the text archived (content_hash %s, text hashes to %s)",
		DamageHash, a.ContentHash, HashText(a.Text))
	return false
}

// Unreadable returns the stand-in for a stored record of id that could not
// be decoded: only ID and Damage are set.
func Unreadable(id string, err error) *Article {
	return &Article{ID: id, Damage: fmt.Sprintf("%s: %v", DamageUnreadable, err)}
}

// Image is one image of an article body.
type Image struct {
	URL     string `json:"url"`
	Caption string `json:"caption,omitempty"`
}

// Capture locates the raw response of an article in the archive.
type Capture struct {
	File     string `json:"file,omitempty"`      // WARC file name
	Offset   int64  `json:"offset,omitempty"`    // byte offset of the record
	RecordID string `json:"record_id,omitempty"` // WARC-Record-ID
	Status   int    `json:"status,omitempty"`    // HTTP status
	Type     string `json:"content_type,omitempty"`
}

// IDFor returns the stable article ID for a canonical URL.
func IDFor(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:12])
}

// HashText returns the content hash of an article body.
func HashText(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:16])
}

// Change says what Put did with one article.
type Change int

// The outcomes of Put for one article.
const (
	Unchanged Change = iota // same content hash as the stored record; metadata refreshed
	Created                 // no record had that ID
	Updated                 // content changed; the old record became a version
)

func (c Change) String() string {
	switch c {
	case Created:
		return "created"
	case Updated:
		return "updated"
	default:
		return "unchanged"
	}
}

// Store archives and searches articles. It is safe for concurrent use.
// Every method returns ErrClosed after Close, and ctx.Err() when ctx is
// cancelled before the work is done.
type Store interface {
	// Put inserts or updates by ID and reports, per article, what it did.
	// A changed article (new ContentHash) keeps its older version, readable
	// with Versions. Errors that may pass on retry satisfy IsTransient.
	Put(ctx context.Context, articles ...*Article) ([]Change, error)
	// Get returns ErrNotFound when no article has that ID.
	Get(ctx context.Context, id string) (*Article, error)
	// Versions returns the earlier versions of an article, oldest first,
	// and ErrNotFound when no article has that ID.
	Versions(ctx context.Context, id string) ([]*Article, error)
	// Search returns ranked, highlighted results with the facets
	// q.Facets names, and an error wrapping ErrUnknownFacet when it names
	// one that is not in FacetNames.
	Search(ctx context.Context, q Query) (*Results, error)
	// Similar returns the articles whose SimHash is within maxDistance
	// bits of hash, nearest first, at most 100. Every article within
	// MaxSimilarDistance bits is found; a larger maxDistance only adds
	// those that also share one SimHash band (see SimHashBands). The
	// articles may come without Text and HTML.
	Similar(ctx context.Context, hash uint64, maxDistance int) ([]*Article, error)
	// Scan calls fn for each match in order (newest published first,
	// undated last) in constant memory, ignoring Limit and Offset, and
	// stops at fn's first error, which it returns.
	Scan(ctx context.Context, q Query, fn func(*Article) error) error
	// Close flushes and releases the store.
	Close() error
}

// Sort orders search results.
type Sort string

// Sort orders.
const (
	ByRelevance Sort = "relevance"
	ByDate      Sort = "date" // newest published first
)

// Query selects articles. The zero Query matches everything.
type Query struct {
	Text     string    // full-text query over title and body; empty matches all
	Site     string    // exact site name
	Language string    // exact language tag
	Author   string    // exact author name: one of the article's Authors
	Section  string    // exact section name
	Tag      string    // exact tag: one of the article's Tags
	Cluster  string    // exact cluster ID: an article and its near-duplicates
	From     time.Time // published at or after, when non-zero (inclusive)
	To       time.Time // published before, when non-zero (exclusive)
	Removed  bool      // only articles gone from their site (RemovedAt set)
	Changed  bool      // only articles changed since first archived (Version > 1)
	Sort     Sort      // ByRelevance (default when Text is set) or ByDate (undated last)
	Limit    int       // page size for Search (default 10); ignored by Scan
	Offset   int       // hits to skip for Search
	// Facets names the facets Search computes over all matches (see
	// FacetNames); nil or empty computes none, which saves most of the
	// work of a search with many matches. A name not in FacetNames makes
	// Search fail with an error wrapping ErrUnknownFacet. Scan ignores it.
	Facets []string
}

// Facet names, for Query.Facets and the keys of Results.Facets.
const (
	FacetSite     = "site"     // by Article.Site, largest first
	FacetAuthor   = "author"   // by each of Article.Authors, largest first
	FacetLanguage = "language" // by Article.Language, largest first
	FacetSection  = "section"  // by Article.Section, largest first
	FacetTag      = "tag"      // by each of Article.Tags, largest first
	FacetDate     = "date"     // by month of Published ("2006-01", UTC), in order
)

// FacetSize is the most buckets a term facet has: its largest ones.
const FacetSize = 50

// FacetNames returns the names of every facet Search can compute, in the
// order callers usually show them.
func FacetNames() []string {
	return []string{FacetSite, FacetAuthor, FacetLanguage, FacetSection, FacetTag, FacetDate}
}

// ErrUnknownFacet is wrapped by the error of a Search whose Query.Facets
// names a facet that is not one of FacetNames.
var ErrUnknownFacet = errors.New("store: unknown facet")

// CheckFacets returns an error wrapping ErrUnknownFacet, naming the facet
// and the known ones, for the first of names not in FacetNames; nil when
// all are known. Backends call it before searching.
func CheckFacets(names []string) error {
	known := FacetNames()
	for _, n := range names {
		if !slices.Contains(known, n) {
			return fmt.Errorf("%w %q: want one of %s", ErrUnknownFacet, n, strings.Join(known, ", "))
		}
	}
	return nil
}

// Results is one page of search results.
type Results struct {
	Total int   `json:"total"`
	Hits  []Hit `json:"hits"`
	// Facets over all matches, one entry for each name in Query.Facets
	// (an empty slice when no match has a value) and none when it names
	// none: term facets ("site", "author", "language", "section", "tag")
	// largest first, at most FacetSize buckets; "date" by month ("2006-01" in
	// UTC) in chronological order. Articles without the field are in no
	// bucket.
	Facets map[string][]FacetCount `json:"facets,omitempty"`
	Took   time.Duration           `json:"took"`
}

// Hit is one search result.
type Hit struct {
	Article *Article `json:"article"`
	Score   float64  `json:"score"`
	// Fragments are highlighted snippets as HTML: the text is escaped and
	// each match is wrapped in <mark></mark>.
	Fragments []string `json:"fragments,omitempty"`
	// Reprints, in a collapsed search (SearchCollapsed), counts the other
	// matches of the reprint group this hit stands for.
	Reprints int `json:"reprints,omitempty"`
}

// FacetCount is one bucket of a facet.
type FacetCount struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// ErrNotFound is returned when no article has the requested ID.
var ErrNotFound = errors.New("store: article not found")

// ErrClosed is returned when the store is used after Close.
var ErrClosed = errors.New("store: closed")

// ErrCorrupt is wrapped by errors about stored bytes that are not what was
// written: a record whose text does not match its content_hash or that
// does not decode, a damaged database, index or WARC file.
var ErrCorrupt = errors.New("store: archive damaged")

// TransientError marks a failure that may pass on retry (a server that is
// down or overloaded), as opposed to a bad document or a bad query.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// IsTransient reports whether err, or an error it wraps, is transient.
func IsTransient(err error) bool {
	var t *TransientError
	return errors.As(err, &t)
}
