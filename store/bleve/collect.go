package bleve

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"newsarc/store"
)

// useColumns makes searches read sort keys and facet values from the
// segments' columns (see columns); tests turn it off to compare.
var useColumns = true

// collected is what collect finds: the page of hits in order, the number
// of matches, and the facets asked for.
type collected struct {
	hits   []*pageHit
	total  int
	facets map[string][]store.FacetCount
}

// pageHit is one hit that is, or was, among the best seen so far. Its
// sort keys beyond the score (publication time, external ID) are read
// only when a comparison needs them.
type pageHit struct {
	internal  index.IndexInternalID
	score     float64
	id        string
	published int64 // nanoseconds since 1970, UTC
	dated     bool
	loaded    bool // published and dated are read
	fragments map[string][]string
}

// collector gathers the hits of one search over one index snapshot. It
// does the work bleve's TopNCollector does with the sort orders Search
// uses, but reads a hit's publication time and ID only when they decide
// its place (for relevance, only on a tie of scores with the page's last
// hit), and reads the facet fields of every hit from their doc values
// into plain counts.
type collector struct {
	r      index.IndexReader
	byDate bool
	size   int                  // offset + limit: the hits kept
	dv     index.DocValueReader // of fieldSortFacet
	facets *facetCounter        // nil when no facet is asked for
	cols   *snapshotColumns     // nil when the segments' columns cannot be had
	err    error
}

// keep returns a copy of h that owns its internal ID.
func (h *pageHit) keep() *pageHit {
	k := *h
	k.internal = slices.Clone(h.internal)
	return &k
}

// load reads h's publication time, once.
func (c *collector) load(h *pageHit) {
	if h.loaded || c.err != nil {
		return
	}
	if c.cols != nil {
		if col, d, ok := c.cols.locate(h.internal); ok {
			h.published, h.dated, h.loaded = col.published[d], col.dated[d], true
			return
		}
	}
	c.err = c.dv.VisitDocValues(h.internal, func(_ string, term []byte) { h.setSortKey(term) })
}

// visit reads h's fieldSortFacet term, once per hit: its publication time
// and, when asked for, its facet values; from the segment's columns when
// there are.
func (c *collector) visit(h *pageHit) {
	if c.cols != nil {
		if col, d, ok := c.cols.locate(h.internal); ok {
			h.published, h.dated, h.loaded = col.published[d], col.dated[d], true
			if c.facets != nil {
				c.facets.addColumns(col, d)
			}
			return
		}
	}
	if c.err == nil {
		c.err = c.dv.VisitDocValues(h.internal, func(_ string, term []byte) {
			h.setSortKey(term)
			if c.facets != nil {
				c.facets.add(term[min(len(term), sortKeyLen):])
			}
		})
	}
}

// setSortKey sets h's publication time from its fieldSortFacet term.
func (h *pageHit) setSortKey(term []byte) {
	h.loaded = true
	if len(term) < sortKeyLen || term[0] != '1' {
		return
	}
	var v uint64
	for _, d := range term[1:sortKeyLen] {
		switch {
		case d >= '0' && d <= '9':
			v = v<<4 | uint64(d-'0')
		case d >= 'a' && d <= 'f':
			v = v<<4 | uint64(d-'a'+10)
		default:
			return
		}
	}
	h.published, h.dated = int64(v^1<<63), true
}

// external reads h's document ID, once.
func (c *collector) external(h *pageHit) string {
	if h.id == "" && c.err == nil {
		h.id, c.err = c.r.ExternalID(h.internal)
	}
	return h.id
}

// compare orders a before b (negative) as Search sorts: by relevance,
// score first, then newest published (undated last), then ID; by date
// without the score.
func (c *collector) compare(a, b *pageHit) int {
	if !c.byDate {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
	}
	c.load(a)
	c.load(b)
	switch {
	case a.dated != b.dated:
		if a.dated {
			return -1
		}
		return 1
	case a.published != b.published:
		return cmp.Compare(b.published, a.published)
	}
	return strings.Compare(c.external(a), c.external(b))
}

// collect runs bq over a snapshot of the index and returns the hits at
// [offset, offset+limit) in Search's order, the number of matches and the
// facets names (known ones), with the page's highlighted fragments when
// highlight is set.
func (s *Store) collect(ctx context.Context, bq query.Query, byDate bool, offset, limit int, facets []string, highlight bool) (_ *collected, err error) {
	advanced, err := s.index.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := advanced.Reader()
	if err != nil {
		return nil, fmt.Errorf("open index reader: %w", err)
	}
	defer func() {
		if cerr := r.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close index reader: %w", cerr)
		}
	}()
	scoring := "none"
	if !byDate {
		scoring = ""
	}
	searcher, err := bq.Searcher(ctx, r, s.index.Mapping(), search.SearcherOptions{Score: scoring})
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := searcher.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()

	c := &collector{r: r, byDate: byDate, size: offset + limit, facets: newFacetCounter(facets)}
	if c.dv, err = r.DocValueReader([]string{fieldSortFacet}); err != nil {
		return nil, err
	}
	// By date, every hit's sort key is needed; with facets, its values.
	// By relevance without facets, only those of hits that tie on score.
	eager := byDate || c.facets != nil
	if eager && useColumns {
		c.cols = s.columns(r)
	}
	sctx := &search.SearchContext{
		DocumentMatchPool: search.NewDocumentMatchPool(searcher.DocumentMatchPoolSize()+1, 0),
		IndexReader:       r,
	}
	// best holds the c.size best hits so far as a heap with the worst
	// on top.
	best := make([]*pageHit, 0, min(c.size, 1024))
	worse := func(i, j int) bool { return c.compare(best[i], best[j]) > 0 }
	total := 0
	var cand pageHit
	for {
		if total%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		dm, err := searcher.Next(sctx)
		if err != nil {
			return nil, err
		}
		if dm == nil {
			break
		}
		total++
		// Without a full page, or when it beats the worst kept, the hit
		// is kept: a copy of cand, whose internal ID is the match's
		// buffer until then.
		cand = pageHit{score: dm.Score, internal: dm.IndexInternalID}
		if eager {
			c.visit(&cand)
		}
		switch {
		case c.size == 0:
		case len(best) < c.size:
			best = append(best, cand.keep())
			heapUp(best, len(best)-1, worse)
		case c.compare(&cand, best[0]) < 0:
			best[0] = cand.keep()
			heapDown(best, 0, worse)
		}
		if c.err != nil {
			return nil, c.err
		}
		sctx.DocumentMatchPool.Put(dm)
	}
	slices.SortFunc(best, c.compare)
	if c.err != nil {
		return nil, c.err
	}
	out := &collected{total: total}
	if offset < len(best) {
		out.hits = best[offset:]
	}
	for _, h := range out.hits {
		c.external(h)
	}
	if c.err != nil {
		return nil, c.err
	}
	if c.facets != nil {
		out.facets = c.facets.result()
	}
	if highlight && len(out.hits) > 0 {
		if err := s.highlightPage(ctx, r, bq, out.hits); err != nil {
			return nil, fmt.Errorf("highlight: %w", err)
		}
	}
	return out, nil
}

// highlightPage sets the fragments of hits: it runs bq again over the same
// snapshot, restricted to the hits, with term locations, and highlights
// title and text as bleve's html highlighter does.
func (s *Store) highlightPage(ctx context.Context, r index.IndexReader, bq query.Query, hits []*pageHit) (err error) {
	byID := make(map[string]*pageHit, len(hits))
	ids := make([]string, len(hits))
	for i, h := range hits {
		byID[h.id], ids[i] = h, h.id
	}
	q := query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), bq})
	searcher, err := q.Searcher(ctx, r, s.index.Mapping(), search.SearcherOptions{IncludeTermVectors: true, Score: "none"})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := searcher.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	highlighter, err := blevesearch.Config.Cache.HighlighterNamed(html.Name)
	if err != nil {
		return err
	}
	req := blevesearch.NewSearchRequest(q)
	req.Highlight = blevesearch.NewHighlightWithStyle(html.Name)
	req.Highlight.AddField(fieldTitle)
	req.Highlight.AddField(fieldText)
	sctx := &search.SearchContext{
		DocumentMatchPool: search.NewDocumentMatchPool(searcher.DocumentMatchPoolSize()+len(hits)+1, 0),
		IndexReader:       r,
	}
	for {
		dm, err := searcher.Next(sctx)
		if err != nil {
			return err
		}
		if dm == nil {
			return nil
		}
		if dm.ID, err = r.ExternalID(dm.IndexInternalID); err != nil {
			return err
		}
		dm.Complete(nil)
		if err, _ := blevesearch.LoadAndHighlightFields(dm, req, "", r, highlighter); err != nil {
			return err
		}
		if h := byID[dm.ID]; h != nil {
			h.fragments = dm.Fragments
		}
	}
}

// heapUp and heapDown keep h a binary heap under less.
func heapUp(h []*pageHit, i int, less func(i, j int) bool) {
	for i > 0 {
		p := (i - 1) / 2
		if !less(i, p) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func heapDown(h []*pageHit, i int, less func(i, j int) bool) {
	for {
		l, m := 2*i+1, i
		if l < len(h) && less(l, m) {
			m = l
		}
		if r := l + 1; r < len(h) && less(r, m) {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// facetCounter counts the facet values of hits, read from their
// fieldSortFacet terms.
type facetCounter struct {
	counts map[byte]map[string]*int // by kind; only the kinds asked for
	names  map[byte]string          // facet name of each kind
	// Counts by value number, per segment columns, while hits are read
	// from them; cur is the last segment's.
	bySeg  map[*segColumns]segCounts
	curSeg *segColumns
	cur    segCounts
}

// addColumns counts the facet values of document d of col.
func (fc *facetCounter) addColumns(col *segColumns, d uint64) {
	if col != fc.curSeg {
		if fc.bySeg == nil {
			fc.bySeg = map[*segColumns]segCounts{}
		}
		fc.cur = fc.bySeg[col]
		if fc.cur == nil {
			for kind := range fc.counts {
				k := col.kinds[kind]
				fc.cur = append(fc.cur, kindCounts{kind: kind, col: k, counts: make([]int32, len(k.values))})
			}
			fc.bySeg[col] = fc.cur
		}
		fc.curSeg = col
	}
	for _, kc := range fc.cur {
		k := kc.col
		for _, ord := range k.ords[k.offsets[d]:k.offsets[d+1]] {
			kc.counts[ord]++
		}
	}
}

// facetKinds maps store facet names to the kinds of fieldSortFacet.
var facetKinds = map[string]byte{
	store.FacetSite:     kindSite,
	store.FacetAuthor:   kindAuthor,
	store.FacetLanguage: kindLanguage,
	store.FacetSection:  kindSection,
	store.FacetTag:      kindTag,
	store.FacetDate:     kindMonth,
}

// newFacetCounter returns a counter of the facets names (known ones), nil
// for none.
func newFacetCounter(names []string) *facetCounter {
	if len(names) == 0 {
		return nil
	}
	fc := &facetCounter{counts: map[byte]map[string]*int{}, names: map[byte]string{}}
	for _, name := range names {
		kind := facetKinds[name]
		fc.counts[kind], fc.names[kind] = map[string]*int{}, name
	}
	return fc
}

// add counts the facet values of one hit: the part of its fieldSortFacet
// term after the sort key.
func (fc *facetCounter) add(values []byte) {
	for len(values) > 0 {
		values = values[1:] // facetSep
		end := bytes.IndexByte(values, facetSep)
		if end < 0 {
			end = len(values)
		}
		if end > 0 {
			if m := fc.counts[values[0]]; m != nil {
				if n := m[string(values[1:end])]; n != nil {
					*n++
				} else {
					one := 1
					m[string(values[1:end])] = &one
				}
			}
		}
		values = values[end:]
	}
}

// result returns each facet's buckets: the term facets' largest
// (termFacetSize; ties by term), the months (monthFacetSize) in order.
func (fc *facetCounter) result() map[string][]store.FacetCount {
	for _, sc := range fc.bySeg {
		for _, kc := range sc {
			m := fc.counts[kc.kind]
			for ord, n := range kc.counts {
				if n == 0 {
					continue
				}
				v := kc.col.values[ord]
				if p := m[v]; p != nil {
					*p += int(n)
				} else {
					c := int(n)
					m[v] = &c
				}
			}
		}
	}
	out := make(map[string][]store.FacetCount, len(fc.counts))
	for kind, m := range fc.counts {
		counts := make([]store.FacetCount, 0, len(m))
		for term, n := range m {
			counts = append(counts, store.FacetCount{Term: term, Count: *n})
		}
		slices.SortFunc(counts, func(a, b store.FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Term, b.Term))
		})
		size := termFacetSize
		if kind == kindMonth {
			size = monthFacetSize
		}
		counts = counts[:min(len(counts), size)]
		if kind == kindMonth {
			slices.SortFunc(counts, func(a, b store.FacetCount) int { return strings.Compare(a.Term, b.Term) })
		}
		out[fc.names[kind]] = counts
	}
	return out
}
