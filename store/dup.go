package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
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
	// SimilarCandidates is how many articles sharing a band a backend
	// examines at most before it keeps those within the distance.
	SimilarCandidates = 1000
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

// Linker is what Link needs of a store; every Store is one.
type Linker interface {
	Get(ctx context.Context, id string) (*Article, error)
	Similar(ctx context.Context, hash uint64, maxDistance int) ([]*Article, error)
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
func Link(ctx context.Context, s Linker, a *Article, maxDistance int) error {
	return LinkAmong(ctx, s, a, maxDistance, nil)
}

// LinkAmong is Link for an archive linked after the fact: of the articles
// that were never linked, only those for which original reports true may
// be a's original (nil: every article may). Linking an archive oldest
// first, with original accepting the articles already done, makes the
// oldest of a story the first of its group.
func LinkAmong(ctx context.Context, s Linker, a *Article, maxDistance int, original func(*Article) bool) error {
	a.Cluster, a.DuplicateOf = a.ID, ""
	if a.SimHash == "" || a.WordCount < MinLinkWords {
		return nil
	}
	h, err := ParseSimHash(a.SimHash)
	if err != nil {
		return fmt.Errorf("link %s: %w", a.ID, err)
	}
	prev, err := s.Get(ctx, a.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("link %s: %w", a.ID, err)
	}
	near, err := s.Similar(ctx, h, maxDistance)
	if err != nil {
		return fmt.Errorf("link %s: %w", a.ID, err)
	}
	others := slices.DeleteFunc(near, func(o *Article) bool {
		return o.ID == a.ID || o.Cluster == "" && original != nil && !original(o)
	})
	if len(others) == 0 {
		return nil
	}
	group := func(o *Article) string { return cmp.Or(o.Cluster, o.ID) }

	if prev != nil && prev.Cluster != "" {
		var members []*Article
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
	others = slices.DeleteFunc(others, func(o *Article) bool { return group(o) == a.ID || o.DuplicateOf == a.ID })
	if len(others) == 0 {
		return nil
	}
	best := others[0]
	bestD := Hamming(h, mustSimHash(best))
	for _, o := range others[1:] {
		d := Hamming(h, mustSimHash(o))
		if d < bestD || d == bestD && earlier(o, best) {
			best, bestD = o, d
		}
	}
	a.Cluster, a.DuplicateOf = group(best), best.ID
	return nil
}

// earlier reports whether x was published before y; undated articles come
// after dated ones, and IDs break ties.
func earlier(x, y *Article) bool {
	switch {
	case x.Published.IsZero() != y.Published.IsZero():
		return !x.Published.IsZero()
	case !x.Published.Equal(y.Published):
		return x.Published.Before(y.Published)
	}
	return x.ID < y.ID
}

// mustSimHash parses the SimHash of an article Similar returned, which
// therefore parses.
func mustSimHash(a *Article) uint64 {
	h, _ := ParseSimHash(a.SimHash)
	return h
}
