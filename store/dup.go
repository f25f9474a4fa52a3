package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"time"
)

// Near-duplicate linking.
const (
	// MaxSimilarDistance is the largest Hamming distance between SimHashes
	// that Similar finds for sure: SimHashBands cuts a SimHash into five
	// bands (13, 13, 13, 13 and 12 bits), and two hashes within four bits
	// share at least one. It is also the default linking distance: on the
	// extraction benchmark no two different stories are within 7 bits,
	// while most reprints with a changed line are within 4 (see
	// docs/BENCHMARKS.md).
	MaxSimilarDistance = 4
	// SimilarLimit is how many articles Similar returns at most.
	SimilarLimit = 100
	// SimilarCandidates is how many articles sharing a band a backend's
	// Similar examines at most before it keeps those within the distance.
	// LinkReader.NearLinks has no such cut.
	SimilarCandidates = 1000
	// NearLinksLimit is how many link records LinkReader.NearLinks returns
	// at most, nearest first. Every copy of a real story fits many times
	// over; it only bounds an archive holding thousands of pages with one
	// body (an error page, a notice), and it is the most an Elasticsearch
	// search returns by default (index.max_result_window).
	NearLinksLimit = 10000
	// MinLinkWords is the body length (WordCount) below which Link leaves
	// an article alone: the SimHash of a few sentences says little, and
	// short notices ("the market closed higher") repeat across stories.
	MinLinkWords = 80
)

// FormatSimHash formats a SimHash as the 16 hex digits of Article.SimHash.
func FormatSimHash(h uint64) string {
	return fmt.Sprintf("%016x", h)
}

// ParseSimHash parses Article.SimHash.
func ParseSimHash(s string) (uint64, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("simhash %q: want 16 hex digits", s)
	}
	h, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("simhash %q: %w", s, err)
	}
	return h, nil
}

// simHashBandBits are the widths of the bands of SimHashBands, low bits
// first; there are MaxSimilarDistance+1 of them.
var simHashBandBits = [MaxSimilarDistance + 1]int{13, 13, 13, 13, 12}

// SimHashBandCount is the number of bands of SimHashBands.
const SimHashBandCount = MaxSimilarDistance + 1

// SimHashBandValues returns the bands of a SimHash as numbers, low bits
// first: band i holds SimHashBandBits(i) bits. Two hashes within
// MaxSimilarDistance bits have one band value in common at the same place.
func SimHashBandValues(h uint64) [SimHashBandCount]uint32 {
	var out [SimHashBandCount]uint32
	shift := 0
	for i, w := range simHashBandBits {
		out[i] = uint32(h>>shift) & (1<<w - 1)
		shift += w
	}
	return out
}

// SimHashBandBits returns the width in bits of band i (0 to
// SimHashBandCount-1) of SimHashBandValues.
func SimHashBandBits(i int) int { return simHashBandBits[i] }

// SimHashBands returns the bands of a SimHash as keywords ("0:1a2b",
// "1:...", ...), the terms backends index to find candidates: two hashes
// within MaxSimilarDistance bits share at least one.
func SimHashBands(h uint64) []string {
	out := make([]string, len(simHashBandBits))
	shift := 0
	for i, w := range simHashBandBits {
		out[i] = fmt.Sprintf("%d:%04x", i, (h>>shift)&(1<<w-1))
		shift += w
	}
	return out
}

// Hamming returns the number of bits in which a and b differ.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// NearestFirst keeps the candidates within maxDistance bits of h, sorts
// them nearest first (then by ID) and cuts the list at SimilarLimit. It is
// the common end of every backend's Similar.
func NearestFirst(h uint64, maxDistance int, candidates []*Article) []*Article {
	type near struct {
		a *Article
		d int
	}
	var keep []near
	for _, a := range candidates {
		ah, err := ParseSimHash(a.SimHash)
		if err != nil {
			continue
		}
		if d := Hamming(h, ah); d <= maxDistance {
			keep = append(keep, near{a, d})
		}
	}
	slices.SortFunc(keep, func(x, y near) int {
		return cmp.Or(cmp.Compare(x.d, y.d), cmp.Compare(x.a.ID, y.a.ID))
	})
	out := make([]*Article, 0, min(len(keep), SimilarLimit))
	for _, n := range keep[:min(len(keep), SimilarLimit)] {
		out = append(out, n.a)
	}
	return out
}

// LinkRecord is what linking reads of an archived article: its ID,
// SimHash, group, original and publish date, and nothing else. Backends
// that implement LinkReader keep or fetch only these.
type LinkRecord struct {
	ID string
	// SimHash is the article's SimHash; HasSimHash is false when it has
	// none (or one that does not parse), and NearLinks never returns it.
	SimHash     uint64
	HasSimHash  bool
	Cluster     string
	DuplicateOf string
	Published   time.Time // zero when unknown
}

// LinkOf returns the link record of a.
func LinkOf(a *Article) LinkRecord {
	r := LinkRecord{ID: a.ID, Cluster: a.Cluster, DuplicateOf: a.DuplicateOf, Published: a.Published}
	if h, err := ParseSimHash(a.SimHash); err == nil {
		r.SimHash, r.HasSimHash = h, true
	}
	return r
}

// LinkReader is a store that answers Link from link records, without
// reading whole articles. Link uses it when its Linker is one.
type LinkReader interface {
	// LinkRecord returns the link record of the article of that ID, or an
	// error wrapping ErrNotFound.
	LinkRecord(ctx context.Context, id string) (LinkRecord, error)
	// NearLinks returns the link records of the articles whose SimHash is
	// within maxDistance bits of hash, nearest first, then by ID, at most
	// NearLinksLimit. As for Store.Similar, every article within
	// MaxSimilarDistance bits is found, and a larger maxDistance only adds
	// those sharing one SimHash band; unlike Similar, no cut is made among
	// the articles sharing a band.
	NearLinks(ctx context.Context, hash uint64, maxDistance int) ([]LinkRecord, error)
}

// NearestLinks keeps the records within maxDistance bits of h, sorts them
// nearest first (then by ID) and cuts the list at limit. Records without a
// SimHash are dropped.
func NearestLinks(h uint64, maxDistance, limit int, recs []LinkRecord) []LinkRecord {
	recs = slices.DeleteFunc(recs, func(r LinkRecord) bool { return !r.HasSimHash || Hamming(h, r.SimHash) > maxDistance })
	slices.SortFunc(recs, func(x, y LinkRecord) int {
		return cmp.Or(cmp.Compare(Hamming(h, x.SimHash), Hamming(h, y.SimHash)), cmp.Compare(x.ID, y.ID))
	})
	return recs[:min(len(recs), limit)]
}

// Linker is what Link needs of a store; every Store is one. A Linker that
// is also a LinkReader is asked for link records instead of articles.
type Linker interface {
	Get(ctx context.Context, id string) (*Article, error)
	Similar(ctx context.Context, hash uint64, maxDistance int) ([]*Article, error)
}

// linkRecord returns the link record of id from s, by LinkReader when s
// is one.
func linkRecord(ctx context.Context, s Linker, id string) (LinkRecord, error) {
	if lr, ok := s.(LinkReader); ok {
		return lr.LinkRecord(ctx, id)
	}
	a, err := s.Get(ctx, id)
	if err != nil {
		return LinkRecord{}, err
	}
	return LinkOf(a), nil
}

// nearLinks returns the link records near h from s, by LinkReader when s
// is one, else from Similar's articles.
func nearLinks(ctx context.Context, s Linker, h uint64, maxDistance int) ([]LinkRecord, error) {
	if lr, ok := s.(LinkReader); ok {
		return lr.NearLinks(ctx, h, maxDistance)
	}
	near, err := s.Similar(ctx, h, maxDistance)
	if err != nil {
		return nil, err
	}
	recs := make([]LinkRecord, 0, len(near))
	for _, a := range near {
		recs = append(recs, LinkOf(a))
	}
	return recs, nil
}

// Link sets a.Cluster and a.DuplicateOf before a is stored, from the
// archived articles whose SimHash is within maxDistance bits of a's
// (MaxSimilarDistance is the usual choice; 0 links identical SimHashes):
//
//   - an article already in a group stays in it while it still resembles
//     one of the group (a recrawl, an edited reprint);
//   - otherwise it joins the group of the nearest such article (earliest
//     published on a tie), and DuplicateOf names that article;
//   - with none, or with no SimHash or fewer than MinLinkWords words, it
//     is its own group: Cluster is its ID, DuplicateOf empty.
//
// Groups are single-linkage: a reprint of a reprint joins the first
// article's group. The group a Query.Cluster selects is the articles whose
// Cluster or ID is that value, so an original archived before linking
// existed, whose Cluster is empty, still belongs to its group.
//
// When s is a LinkReader, Link reads link records only (see LinkRecord).
func Link(ctx context.Context, s Linker, a *Article, maxDistance int) error {
	return LinkAmong(ctx, s, a, maxDistance, nil)
}

// LinkAmong is Link for an archive linked after the fact: of the articles
// that were never linked, only those for which original reports true may
// be a's original (nil: every article may). Linking an archive oldest
// first, with original accepting the articles already done, makes the
// oldest of a story the first of its group.
func LinkAmong(ctx context.Context, s Linker, a *Article, maxDistance int, original func(LinkRecord) bool) error {
	a.Cluster, a.DuplicateOf = a.ID, ""
	if a.SimHash == "" || a.WordCount < MinLinkWords {
		return nil
	}
	h, err := ParseSimHash(a.SimHash)
	if err != nil {
		return fmt.Errorf("link %s: %w", a.ID, err)
	}
	prev, err := linkRecord(ctx, s, a.ID)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("link %s: %w", a.ID, err)
	}
	near, err := nearLinks(ctx, s, h, maxDistance)
	if err != nil {
		return fmt.Errorf("link %s: %w", a.ID, err)
	}
	others := slices.DeleteFunc(near, func(o LinkRecord) bool {
		return o.ID == a.ID || o.Cluster == "" && original != nil && !original(o)
	})
	if len(others) == 0 {
		return nil
	}
	group := func(o LinkRecord) string { return cmp.Or(o.Cluster, o.ID) }

	if found && prev.Cluster != "" {
		var members []LinkRecord
		for _, o := range others {
			if group(o) == prev.Cluster {
				members = append(members, o)
			}
		}
		if len(members) > 0 {
			a.Cluster = prev.Cluster
			if prev.Cluster == a.ID {
				return nil // the first of its group
			}
			a.DuplicateOf = members[0].ID
			for _, m := range members {
				if m.ID == prev.DuplicateOf {
					a.DuplicateOf = m.ID
				}
			}
			return nil
		}
	}

	// Articles that copied a, by its group, are not a's originals.
	others = slices.DeleteFunc(others, func(o LinkRecord) bool { return group(o) == a.ID || o.DuplicateOf == a.ID })
	if len(others) == 0 {
		return nil
	}
	best := others[0]
	bestD := Hamming(h, best.SimHash)
	for _, o := range others[1:] {
		d := Hamming(h, o.SimHash)
		if d < bestD || d == bestD && earlier(o, best) {
			best, bestD = o, d
		}
	}
	a.Cluster, a.DuplicateOf = group(best), best.ID
	return nil
}

// earlier reports whether x was published before y; undated articles come
// after dated ones, and IDs break ties.
func earlier(x, y LinkRecord) bool {
	switch {
	case x.Published.IsZero() != y.Published.IsZero():
		return !x.Published.IsZero()
	case !x.Published.Equal(y.Published):
		return x.Published.Before(y.Published)
	}
	return x.ID < y.ID
}
