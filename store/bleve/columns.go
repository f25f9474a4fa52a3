package bleve

import (
	"bytes"
	"encoding/binary"
	"sort"
	"sync"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// segColumns is the fieldSortFacet of every document of one index
// segment, decoded once: its sort key and, per facet kind, its values as
// numbers into the segment's own list of that kind's values. Segments are
// never changed, only merged into new ones, so a segment's columns stay
// true for as long as the segment lives.
type segColumns struct {
	published []int64
	dated     []bool
	kinds     map[byte]*kindColumn
}

// kindColumn holds one facet kind of a segment: document d's values are
// ords[offsets[d]:offsets[d+1]], numbers into values.
type kindColumn struct {
	values  []string
	offsets []uint32
	ords    []uint32
}

// columnCache keeps the columns of the segments of one index by segment
// ID, and drops those of segments gone from its latest snapshot.
type columnCache struct {
	mu    sync.Mutex
	index blevesearch.Index
	segs  map[uint64]*segColumns
}

// snapshotColumns is the columns of every segment of one snapshot, with
// the first document number of each segment.
type snapshotColumns struct {
	offsets []uint64
	segs    []*segColumns
	cursor  int // segment of the last lookup: hits come in document order
}

// columns returns the columns of r's segments, building those not cached
// yet, or nil when r is not a scorch snapshot or a segment cannot be read
// that way (then hits are read from doc values one by one).
func (s *Store) columns(r index.IndexReader) *snapshotColumns {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	c := &s.cols
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.index != s.index || c.segs == nil {
		c.index, c.segs = s.index, map[uint64]*segColumns{}
	}
	out := &snapshotColumns{}
	live := map[uint64]bool{}
	var running uint64
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		out.offsets = append(out.offsets, running)
		running += seg.Count()
		live[ss.Id()] = true
		col := c.segs[ss.Id()]
		if col == nil {
			var err error
			if col, err = buildColumns(seg); err != nil {
				s.log.Debug("facet columns: reading doc values hit by hit", "segment", ss.Id(), "err", err)
				return nil
			}
			c.segs[ss.Id()] = col
		}
		out.segs = append(out.segs, col)
	}
	// A snapshot older than the latest may still use a segment the newer
	// one merged away; it is built again if asked for.
	if len(c.segs) > 2*len(live) {
		for id := range c.segs {
			if !live[id] {
				delete(c.segs, id)
			}
		}
	}
	return out
}

// errNotVisitable says a segment cannot visit its doc values by document.
type errNotVisitable struct{}

func (errNotVisitable) Error() string { return "segment does not visit doc values by document" }

// buildColumns decodes the fieldSortFacet term of every document of seg.
func buildColumns(seg segment.Segment) (*segColumns, error) {
	v, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, errNotVisitable{}
	}
	n := seg.Count()
	col := &segColumns{published: make([]int64, n), dated: make([]bool, n), kinds: map[byte]*kindColumn{}}
	numbers := map[byte]map[string]uint32{}
	for _, kind := range []byte{kindSite, kindAuthor, kindLanguage, kindSection, kindTag, kindMonth} {
		col.kinds[kind] = &kindColumn{offsets: make([]uint32, 1, n+1)}
		numbers[kind] = map[string]uint32{}
	}
	fields := []string{fieldSortFacet}
	var state segment.DocVisitState
	for d := range n {
		var h pageHit
		var err error
		state, err = v.VisitDocValues(d, fields, func(_ string, term []byte) {
			h.setSortKey(term)
			values := term[min(len(term), sortKeyLen):]
			for len(values) > 0 {
				values = values[1:]
				end := bytes.IndexByte(values, facetSep)
				if end < 0 {
					end = len(values)
				}
				if end > 0 {
					if k := col.kinds[values[0]]; k != nil {
						m := numbers[values[0]]
						ord, ok := m[string(values[1:end])]
						if !ok {
							ord = uint32(len(k.values))
							k.values = append(k.values, string(values[1:end]))
							m[k.values[ord]] = ord
						}
						k.ords = append(k.ords, ord)
					}
				}
				values = values[end:]
			}
		}, state)
		if err != nil {
			return nil, err
		}
		col.published[d], col.dated[d] = h.published, h.dated
		for _, k := range col.kinds {
			k.offsets = append(k.offsets, uint32(len(k.ords)))
		}
	}
	return col, nil
}

// locate returns the columns and the segment's document number of the
// document with internal ID id.
func (sc *snapshotColumns) locate(id index.IndexInternalID) (*segColumns, uint64, bool) {
	if len(id) != 8 || len(sc.segs) == 0 {
		return nil, 0, false
	}
	doc := binary.BigEndian.Uint64(id)
	i := sc.cursor
	if i >= len(sc.offsets) || sc.offsets[i] > doc || i+1 < len(sc.offsets) && sc.offsets[i+1] <= doc {
		i = sort.Search(len(sc.offsets), func(x int) bool { return sc.offsets[x] > doc }) - 1
		if i < 0 {
			return nil, 0, false
		}
		sc.cursor = i
	}
	local := doc - sc.offsets[i]
	if local >= uint64(len(sc.segs[i].published)) {
		return nil, 0, false
	}
	return sc.segs[i], local, true
}

// segCounts counts, for one segment, how many hits have each value
// number of each kind asked for.
type segCounts []kindCounts

// kindCounts counts the hits of one segment with each value number of
// one kind.
type kindCounts struct {
	kind   byte
	col    *kindColumn
	counts []int32
}
