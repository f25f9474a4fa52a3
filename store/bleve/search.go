package bleve

import (
	"context"
	"fmt"
	"strings"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bolt "go.etcd.io/bbolt"

	"newsarc/store"
)

// Search limits and tuning.
const (
	defaultLimit   = 10
	maxLimit       = 10000 // larger Query.Limit values are capped
	titleBoost     = 3.0
	termFacetSize  = store.FacetSize // buckets of each term facet (site, author, language, section, tag)
	monthFacetSize = 600             // fifty years of months
)

// scanPage is how many hits Scan reads per index round trip; a variable so
// that tests can make pages small.
var scanPage = 500

// Search returns one page of matches, ranked by relevance (the default when
// q.Text is set) or newest first, with highlighted fragments (title first,
// then the best body fragment; HTML, with the text escaped and matches in
// <mark>) and the facets q.Facets names, over all matches: the term facets
// by count, and "date" by month ("2006-01", UTC) in chronological order.
// Articles without a publication date sort last by date and have no date
// bucket. q.Limit defaults to 10 and is capped at 10000.
func (s *Store) Search(ctx context.Context, q store.Query) (*store.Results, error) {
	start := time.Now()
	if err := store.CheckFacets(q.Facets); err != nil {
		return nil, fmt.Errorf("bleve: search %q: %w", q.Text, err)
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("bleve: search: %w", err)
	}
	defer release()

	bq, err := s.query(q)
	if err != nil {
		return nil, fmt.Errorf("bleve: search %q: %w", q.Text, err)
	}
	byDate := q.Sort == store.ByDate || (q.Sort == "" && strings.TrimSpace(q.Text) == "")
	col, err := s.collectSafe(ctx, bq, byDate, max(q.Offset, 0), limit(q.Limit), q.Facets, strings.TrimSpace(q.Text) != "")
	if err != nil {
		return nil, fmt.Errorf("bleve: search %q: %w", q.Text, err)
	}
	ids := make([]string, len(col.hits))
	for i, h := range col.hits {
		ids[i] = h.id
	}
	articles, err := s.loadIDs(ids)
	if err != nil {
		return nil, fmt.Errorf("bleve: search %q: %w", q.Text, err)
	}
	res := &store.Results{Total: col.total, Hits: make([]store.Hit, len(col.hits)), Facets: col.facets}
	for i, h := range col.hits {
		res.Hits[i] = store.Hit{Article: articles[i], Score: h.score, Fragments: fragments(h.fragments)}
	}
	res.Took = time.Since(start)
	return res, nil
}

// Scan calls fn for every match of q, newest published first (undated
// articles last), ignoring q.Sort, q.Limit and q.Offset. It pages through
// the index with search-after, holding one page of articles at a time, and
// returns fn's first error as is. Articles stored while Scan runs may or may
// not be visited. A record whose text does not match its content hash is
// visited with Damage set, and one that does not decode as only its ID and
// Damage (see store.Article.Damage); Search returns them likewise. Both
// fail with the error that made the index unusable, when one did.
func (s *Store) Scan(ctx context.Context, q store.Query, fn func(*store.Article) error) error {
	var after []string
	for {
		articles, last, err := s.scanPage(ctx, q, after)
		if err != nil {
			return fmt.Errorf("bleve: scan %q: %w", q.Text, err)
		}
		for _, a := range articles {
			if err := fn(a); err != nil {
				return err
			}
		}
		if len(articles) < scanPage {
			return nil
		}
		after = last
	}
}

// scanPage returns the page of matches after the sort key after (nil for
// the first page) and the sort key of its last hit. The store is locked
// only while the page is read, not while fn runs.
func (s *Store) scanPage(ctx context.Context, q store.Query, after []string) ([]*store.Article, []string, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	bq, err := s.query(q)
	if err != nil {
		return nil, nil, err
	}
	req := blevesearch.NewSearchRequestOptions(bq, scanPage, 0, false)
	req.SortByCustom(byDate())
	req.Score = "none"
	if after != nil {
		req.SetSearchAfter(after)
	}
	sr, err := s.search(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	articles, err := s.load(sr.Hits)
	if err != nil || len(sr.Hits) == 0 {
		return articles, nil, err
	}
	return articles, sr.Hits[len(sr.Hits)-1].Sort, nil
}

// byDate orders newest published first, undated last, then by ID. The
// published sort is left to type detection, so that hits' raw sort values
// (undated ones included) can be handed back as search-after keys.
func byDate() search.SortOrder {
	return search.SortOrder{
		&search.SortField{Field: fieldPublished, Desc: true, Missing: search.SortFieldMissingLast},
		&search.SortDocID{},
	}
}

// query translates q into a bleve query: q.Text in the query language (see
// store.ParseQuery; textQuery), the other fields filtering without scoring.
// A text whose words all lack tokens (punctuation) matches nothing.
func (s *Store) query(q store.Query) (query.Query, error) {
	expr, err := store.ParseQuery(q.Text)
	if err != nil {
		return nil, err
	}
	analyzer := s.index.Mapping().AnalyzerNamed(cjk.AnalyzerName)
	expr = expr.Prune(func(e *store.Expr) bool {
		return e.FullText() && analyzer != nil && len(analyzer.Analyze([]byte(e.Text))) == 0
	})
	var must []query.Query
	if expr != nil {
		t, err := s.textQuery(expr, analyzer)
		if err != nil {
			return nil, err
		}
		must = append(must, t)
	}
	var filters []query.Query
	keyword := func(field, value string) {
		if value != "" {
			t := query.NewTermQuery(value)
			t.SetField(field)
			filters = append(filters, t)
		}
	}
	keyword(fieldSite, q.Site)
	keyword(fieldLanguage, q.Language)
	keyword(fieldAuthors, q.Author)
	keyword(fieldSection, q.Section)
	keyword(fieldTags, q.Tag)
	if q.Removed {
		keyword(fieldState, flagRemoved)
	}
	if q.Changed {
		keyword(fieldState, flagChanged)
	}
	if q.Cluster != "" {
		// A group is the articles that carry its ID as cluster, and the
		// article of that ID (whose cluster may be empty).
		t := query.NewTermQuery(q.Cluster)
		t.SetField(fieldCluster)
		filters = append(filters, query.NewDisjunctionQuery([]query.Query{t, query.NewDocIDQuery([]string{q.Cluster})}))
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		from, to, ok := indexableRange(q.From, q.To)
		if !ok {
			return query.NewMatchNoneQuery(), nil
		}
		inclusive, exclusive := true, false
		r := query.NewDateRangeInclusiveQuery(from, to, &inclusive, &exclusive)
		r.SetField(fieldPublished)
		filters = append(filters, r)
	}

	switch {
	case len(must) == 0 && strings.TrimSpace(q.Text) != "":
		return query.NewMatchNoneQuery(), nil
	case len(must) == 0:
		must = append(must, query.NewMatchAllQuery())
	}
	b := query.NewBooleanQuery(must, nil, nil)
	if len(filters) > 0 {
		b.AddFilter(query.NewConjunctionQuery(filters))
	}
	return b, nil
}

// match returns a query for all of the tokens of term in field.
func match(term, field string, boost float64) query.Query {
	m := query.NewMatchQuery(term)
	m.SetField(field)
	m.SetOperator(query.MatchQueryOperatorAnd)
	m.SetBoost(boost)
	return m
}

// maxExpansions is how many indexed words the last word of a prefix of
// several words (经济学*, covid-1*) may stand for, as in the elastic backend.
const maxExpansions = 1000

// keywordFields maps the query language's keyword scopes to index fields.
var keywordFields = map[string]string{
	store.FieldAuthor: fieldAuthors, store.FieldSite: fieldSite,
	store.FieldSection: fieldSection, store.FieldTag: fieldTags,
}

// textQuery translates a parsed query. A word must match title (boosted) or
// text with all of its tokens (so a Chinese word matches as all of its
// bigrams), or, when it has no CJK letter, the words of title or text
// with the same English stems (see stemmed); a
// phrase must match title or text with its tokens at consecutive positions
// (a Chinese phrase as its bigrams, in order); a prefix of one token matches
// the indexed words that start with it, and one of several tokens (经济学*)
// is a phrase whose last token is such a prefix. title: keeps to the title;
// the keyword scopes match a value exactly (or its start). An AND's negated
// members are its must-nots; a negation alone excludes from everything.
func (s *Store) textQuery(e *store.Expr, analyzer analysis.Analyzer) (query.Query, error) {
	switch e.Op {
	case store.OpAnd:
		var must, not []query.Query
		for _, sub := range e.Sub {
			if sub.Op == store.OpNot {
				q, err := s.textQuery(sub.Sub[0], analyzer)
				if err != nil {
					return nil, err
				}
				not = append(not, q)
				continue
			}
			q, err := s.textQuery(sub, analyzer)
			if err != nil {
				return nil, err
			}
			must = append(must, q)
		}
		if len(must) == 0 {
			must = append(must, query.NewMatchAllQuery())
		}
		if len(not) == 0 {
			return query.NewConjunctionQuery(must), nil
		}
		return query.NewBooleanQuery(must, nil, not), nil
	case store.OpOr:
		var should []query.Query
		for _, sub := range e.Sub {
			q, err := s.textQuery(sub, analyzer)
			if err != nil {
				return nil, err
			}
			should = append(should, q)
		}
		return query.NewDisjunctionQuery(should), nil
	case store.OpNot:
		q, err := s.textQuery(e.Sub[0], analyzer)
		if err != nil {
			return nil, err
		}
		return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{q}), nil
	}
	if field, ok := keywordFields[e.Field]; ok {
		if e.Op == store.OpPrefix {
			p := query.NewPrefixQuery(e.Text)
			p.SetField(field)
			return p, nil
		}
		t := query.NewTermQuery(e.Text)
		t.SetField(field)
		return t, nil
	}
	type scoped struct {
		field string
		boost float64
	}
	fields := []scoped{{fieldTitle, titleBoost}, {fieldText, 1}}
	if e.Field == store.FieldTitle {
		fields = fields[:1]
	}
	var either []query.Query
	for _, f := range fields {
		switch e.Op {
		case store.OpPhrase:
			m := query.NewMatchPhraseQuery(e.Text)
			m.SetField(f.field)
			m.SetBoost(f.boost)
			either = append(either, m)
		case store.OpPrefix:
			q, err := s.prefix(e.Text, f.field, f.boost, analyzer)
			if err != nil {
				return nil, err
			}
			either = append(either, q)
		default:
			either = append(either, match(e.Text, f.field, f.boost))
			if en := s.index.Mapping().AnalyzerNamed(en.AnalyzerName); en != nil && !hasCJK(e.Text) {
				q, err := s.stemmed(e.Text, f.field, f.boost, en)
				if err != nil {
					return nil, err
				}
				if q != nil {
					either = append(either, q)
				}
			}
		}
	}
	if len(either) == 1 {
		return either[0], nil
	}
	return query.NewDisjunctionQuery(either), nil
}

// prefix returns the query for text* in field: a prefix query when text
// is one token, else a phrase of its tokens whose last position holds the
// indexed words starting with the last token (at most maxExpansions).
func (s *Store) prefix(text, field string, boost float64, analyzer analysis.Analyzer) (query.Query, error) {
	tokens := analyzer.Analyze([]byte(text))
	if len(tokens) == 1 {
		p := query.NewPrefixQuery(string(tokens[0].Term))
		p.SetField(field)
		p.SetBoost(boost)
		return p, nil
	}
	first, last := tokens[0].Position, tokens[0].Position
	for _, t := range tokens {
		first, last = min(first, t.Position), max(last, t.Position)
	}
	phrase := make([][]string, last-first+1)
	for _, t := range tokens[:len(tokens)-1] {
		phrase[t.Position-first] = append(phrase[t.Position-first], string(t.Term))
	}
	end := tokens[len(tokens)-1]
	dict, err := s.index.FieldDictPrefix(field, end.Term)
	if err != nil {
		return nil, fmt.Errorf("words of %s starting with %q: %w", field, end.Term, err)
	}
	defer dict.Close()
	var words []string
	for len(words) < maxExpansions {
		entry, err := dict.Next()
		if err != nil {
			return nil, fmt.Errorf("words of %s starting with %q: %w", field, end.Term, err)
		}
		if entry == nil {
			break
		}
		words = append(words, entry.Term)
	}
	if len(words) == 0 {
		return query.NewMatchNoneQuery(), nil
	}
	phrase[end.Position-first] = append(phrase[end.Position-first], words...)
	m := query.NewMultiPhraseQuery(phrase, field)
	m.SetBoost(boost)
	return m, nil
}

// collectSafe runs collect, unless the index is unusable, turning a panic
// of a damaged index into an error that makes it unusable, as search does.
func (s *Store) collectSafe(ctx context.Context, bq query.Query, byDate bool, offset, limit int, facets []string, highlight bool) (col *collected, err error) {
	if err := s.indexUnusable(); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			col, err = nil, fmt.Errorf("%w: index of %s: panic: %v", store.ErrCorrupt, s.dir, p)
			s.breakIndex(err)
		}
	}()
	return s.collect(ctx, bq, byDate, offset, limit, facets, highlight)
}

// search runs req on the index, unless the index is unusable, turning a
// panic of a damaged index into an error that makes it unusable.
func (s *Store) search(ctx context.Context, req *blevesearch.SearchRequest) (sr *blevesearch.SearchResult, err error) {
	if err := s.indexUnusable(); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			sr, err = nil, fmt.Errorf("%w: index of %s: panic: %v", store.ErrCorrupt, s.dir, p)
			s.breakIndex(err)
		}
	}()
	return s.index.SearchInContext(ctx, req)
}

// load reads the articles of hits from bbolt, in order, in one
// transaction. A record that fails its check comes with Damage set; one
// that does not decode is only its ID and Damage.
func (s *Store) load(hits search.DocumentMatchCollection) ([]*store.Article, error) {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return s.loadIDs(ids)
}

// loadIDs reads the articles of ids from bbolt, in order, in one
// transaction, as load does; an ID without a record is an error.
func (s *Store) loadIDs(ids []string) ([]*store.Article, error) {
	return s.readIDs(ids, false)
}

// readIDs reads the articles of ids in one transaction, in order; a
// damaged record is read as store.Unreadable. An ID without a record is an
// error, or, with skipMissing, left out (an article gone since its ID was
// found, while a Put is under way).
func (s *Store) readIDs(ids []string, skipMissing bool) ([]*store.Article, error) {
	articles := make([]*store.Article, 0, len(ids))
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArticles)
		for _, id := range ids {
			a, err := decodeArticle(b.Get([]byte(id)))
			if err != nil {
				s.log.Warn("damaged record", "id", id, "err", err)
				a = store.Unreadable(id, err)
			}
			if a == nil {
				if skipMissing {
					continue
				}
				return fmt.Errorf("indexed article %s missing from database: %w", id, store.ErrNotFound)
			}
			s.verify(a)
			articles = append(articles, a)
		}
		return nil
	})
	return articles, err
}

// fragments returns a hit's highlighted title fragments that mark a match,
// then its body fragments.
func fragments(hl map[string][]string) []string {
	var out []string
	for _, f := range hl[fieldTitle] {
		if strings.Contains(f, "<mark>") {
			out = append(out, f)
		}
	}
	return append(out, hl[fieldText]...)
}

func limit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	default:
		return n
	}
}

// Similar returns the articles whose SimHash is within maxDistance bits of
// hash, nearest first (at most store.SimilarLimit): the near-duplicate
// table's band index finds every article sharing one of the hash's bands
// (store.SimHashBands) and their distance decides, with no cut on the
// candidates; only the matches' records are read.
func (s *Store) Similar(ctx context.Context, hash uint64, maxDistance int) ([]*store.Article, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("bleve: similar to %016x: %w", hash, err)
	}
	defer release()
	// The band index of the near-duplicate table names the matches; only
	// their records are read.
	ids, _, _ := s.links.near(hash, maxDistance)
	articles, err := s.readIDs(ids, true)
	if err != nil {
		return nil, fmt.Errorf("bleve: similar to %016x: %w", hash, err)
	}
	return store.NearestFirst(hash, maxDistance, articles), nil
}

// The dates the index can hold: it keeps them as nanoseconds since 1970 in
// an int64.
var (
	minIndexed = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	maxIndexed = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

// indexableRange clamps a query's date bounds to what the index holds, so
// that a bound far in the past or future keeps its meaning (to=3000-01-01:
// every dated article) instead of failing the query. ok is false when the
// range can hold no indexed date. A zero bound stays open.
func indexableRange(from, to time.Time) (time.Time, time.Time, bool) {
	if !from.IsZero() && from.Before(minIndexed) {
		from = minIndexed
	}
	if !to.IsZero() && to.After(maxIndexed) {
		to = maxIndexed
	}
	if !from.IsZero() && from.After(maxIndexed) || !to.IsZero() && to.Before(minIndexed) {
		return from, to, false
	}
	return from, to, true
}
