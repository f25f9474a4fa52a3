package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"newsarc/store"
)

// Search limits and tuning.
const (
	defaultLimit  = 10
	maxWindow     = 10000 // from+size limit of both engines (index.max_result_window)
	titleBoost    = 3.0
	termFacetSize = store.FacetSize // buckets of each term facet (site, author, language, section, tag)
	fragmentSize  = 150
)

// scanPage is how many hits Scan reads per search request; a variable so
// that tests can make pages small.
var scanPage = 500

// termFacets maps the store's term facet names to keyword fields; the
// other facet, "date", is a date_histogram (see aggregations).
var termFacets = map[string]string{
	store.FacetSite:     "site",
	store.FacetAuthor:   "authors",
	store.FacetLanguage: "language",
	store.FacetSection:  "section",
	store.FacetTag:      "tags",
}

// searchHit is one hit of a search answer.
type searchHit struct {
	ID        string              `json:"_id"`
	Score     *float64            `json:"_score"`
	Source    *doc                `json:"_source"`
	Highlight map[string][]string `json:"highlight"`
	Sort      []json.RawMessage   `json:"sort"`
}

// searchAnswer is the part of a search answer the store reads.
type searchAnswer struct {
	Hits struct {
		Total struct {
			Value int `json:"value"`
		} `json:"total"`
		Hits []searchHit `json:"hits"`
	} `json:"hits"`
	Aggregations map[string]struct {
		Buckets []struct {
			Key         any    `json:"key"`
			KeyAsString string `json:"key_as_string"`
			DocCount    int    `json:"doc_count"`
		} `json:"buckets"`
	} `json:"aggregations"`
}

// Search returns one page of matches, ranked by relevance (the default when
// q.Text is set) or newest first, with highlighted fragments (title first
// when it matched, then the best body fragment; HTML, with the text escaped
// by the server's html encoder and matches in <mark>) and facets over all
// matches, those q.Facets names: the term facets by count, and "date" by
// month ("2006-01", UTC, a date_histogram) in chronological order.
// Articles without a publication date sort last by date and have no date
// bucket. Total is exact. q.Limit defaults to 10; Offset+Limit is capped
// at 10000 (the engines' result window); use Scan to read more.
func (s *Store) Search(ctx context.Context, q store.Query) (*store.Results, error) {
	start := time.Now()
	if err := store.CheckFacets(q.Facets); err != nil {
		return nil, fmt.Errorf("elastic: search %q: %w", q.Text, err)
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("elastic: search: %w", err)
	}
	defer release()

	from := min(max(q.Offset, 0), maxWindow)
	size := q.Limit
	if size <= 0 {
		size = defaultLimit
	}
	size = min(size, maxWindow-from)
	query, err := s.query(q)
	if err != nil {
		return nil, fmt.Errorf("elastic: search %q: %w", q.Text, err)
	}
	hitsBody := map[string]any{
		"query":            query,
		"from":             from,
		"size":             size,
		"track_total_hits": false,
		"sort":             sortOf(q),
	}
	if strings.TrimSpace(q.Text) != "" {
		text := map[string]any{"fragment_size": fragmentSize, "number_of_fragments": 1}
		title := map[string]any{"number_of_fragments": 0}
		hitsBody["highlight"] = map[string]any{
			"pre_tags":  []string{"<mark>"},
			"post_tags": []string{"</mark>"},
			"encoder":   "html",
			"fields": map[string]any{
				"title": title, "title.en": title,
				"text": text, "text.en": text,
			},
		}
	}
	facetsBody := map[string]any{
		"query":            query,
		"size":             0,
		"track_total_hits": true,
	}
	if len(q.Facets) > 0 {
		facetsBody["aggs"] = aggregations(q.Facets)
	}
	// One round trip, two searches: the page (which need not count every
	// match, so the engine may skip non-competitive hits) and the exact
	// total with the facets asked for (size 0, so the shard request cache
	// answers it again until the next refresh).
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	header := map[string]any{"index": s.articles}
	for _, v := range []any{header, hitsBody, header, facetsBody} {
		if err := enc.Encode(v); err != nil {
			return nil, fmt.Errorf("elastic: search %q: encode: %w", q.Text, err)
		}
	}
	var out struct {
		Responses []struct {
			searchAnswer
			Status int             `json:"status"`
			Error  json.RawMessage `json:"error"`
		} `json:"responses"`
	}
	if _, err := s.do(ctx, esapi.MsearchRequest{Body: &body}, &out); err != nil {
		return nil, fmt.Errorf("elastic: search %q: %w", q.Text, err)
	}
	if len(out.Responses) != 2 {
		return nil, fmt.Errorf("elastic: search %q: %d responses to 2 searches", q.Text, len(out.Responses))
	}
	for _, r := range out.Responses {
		if len(r.Error) > 0 {
			err := error(&ResponseError{Status: r.Status, Reason: string(r.Error)})
			if transientStatus(r.Status) {
				err = &store.TransientError{Err: err}
			}
			return nil, fmt.Errorf("elastic: search %q: %w", q.Text, err)
		}
	}
	ans := out.Responses[0].searchAnswer
	ans.Hits.Total = out.Responses[1].Hits.Total
	ans.Aggregations = out.Responses[1].Aggregations

	res := &store.Results{Total: ans.Hits.Total.Value, Hits: make([]store.Hit, 0, len(ans.Hits.Hits))}
	for _, h := range ans.Hits.Hits {
		if h.Source == nil {
			continue
		}
		hit := store.Hit{Article: h.Source.article(), Fragments: fragments(h.Highlight)}
		if h.Score != nil {
			hit.Score = *h.Score
		}
		res.Hits = append(res.Hits, hit)
	}
	for _, name := range q.Facets {
		if res.Facets == nil {
			res.Facets = map[string][]store.FacetCount{}
		}
		counts := []store.FacetCount{}
		for _, b := range ans.Aggregations[name].Buckets {
			term := b.KeyAsString
			if term == "" {
				term = fmt.Sprint(b.Key)
			}
			counts = append(counts, store.FacetCount{Term: term, Count: b.DocCount})
		}
		res.Facets[name] = counts
	}
	res.Took = time.Since(start)
	return res, nil
}

// aggregations returns the aggregations of the facets names (known ones,
// see store.CheckFacets), each under its facet name: terms of a keyword
// field, or for "date" a monthly date_histogram of published in UTC.
func aggregations(names []string) map[string]any {
	aggs := map[string]any{}
	for _, name := range names {
		if field, ok := termFacets[name]; ok {
			aggs[name] = map[string]any{"terms": map[string]any{"field": field, "size": termFacetSize}}
		} else if name == store.FacetDate {
			aggs[name] = map[string]any{"date_histogram": map[string]any{
				"field":             "published",
				"calendar_interval": "month",
				"format":            "yyyy-MM",
				"time_zone":         "UTC",
				"min_doc_count":     1,
			}}
		}
	}
	return aggs
}

// fragments returns the title fragments, then the body fragment, of a
// hit's highlights, preferring the cjk fields' over the english ones'.
func fragments(hl map[string][]string) []string {
	var out []string
	for _, pair := range [][2]string{{"title", "title.en"}, {"text", "text.en"}} {
		f := hl[pair[0]]
		if len(f) == 0 {
			f = hl[pair[1]]
		}
		out = append(out, f...)
	}
	return out
}

// byDate orders newest published first, undated last, then by ID.
func byDate() []any {
	return []any{
		map[string]any{"published": map[string]any{"order": "desc", "missing": "_last"}},
		map[string]any{"id": map[string]any{"order": "asc"}},
	}
}

// sortOf returns the sort of q: relevance (then date) when q.Text is set
// and q.Sort is not ByDate, date otherwise.
func sortOf(q store.Query) []any {
	if q.Sort == store.ByDate || strings.TrimSpace(q.Text) == "" {
		return byDate()
	}
	return append([]any{map[string]any{"_score": map[string]any{"order": "desc"}}}, byDate()...)
}

// query translates q into a bool query: q.Text in the query language (see
// store.ParseQuery; textQuery) must match, and the other fields of q are
// filter clauses (no scoring); From is inclusive, To exclusive. A word of
// stop words or punctuation alone requires nothing, but a text of nothing
// else matches nothing.
func (s *Store) query(q store.Query) (map[string]any, error) {
	expr, err := store.ParseQuery(q.Text)
	if err != nil {
		return nil, err
	}
	var must, filter []any
	if expr != nil {
		expr = expr.Prune(func(e *store.Expr) bool { return e.FullText() && tokenless(e.Text) })
		if expr == nil {
			return map[string]any{"match_none": map[string]any{}}, nil
		}
		must = append(must, textQuery(expr))
	}
	keyword := func(field, value string) {
		if value != "" {
			filter = append(filter, map[string]any{"term": map[string]any{field: value}})
		}
	}
	keyword("site", q.Site)
	keyword("language", q.Language)
	keyword("authors", q.Author)
	keyword("section", q.Section)
	keyword("tags", q.Tag)
	if q.Removed {
		filter = append(filter, map[string]any{"exists": map[string]any{"field": "removed"}})
	}
	if q.Changed {
		filter = append(filter, map[string]any{"range": map[string]any{"version": map[string]any{"gt": 1}}})
	}
	if q.Cluster != "" {
		// A group is the articles that carry its ID as cluster, and the
		// article of that ID (whose cluster may be empty).
		filter = append(filter, map[string]any{"bool": map[string]any{"minimum_should_match": 1, "should": []any{
			map[string]any{"term": map[string]any{"cluster": q.Cluster}},
			map[string]any{"term": map[string]any{"id": q.Cluster}},
		}}})
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		r := map[string]any{"format": "strict_date_optional_time_nanos"}
		if !q.From.IsZero() {
			r["gte"] = q.From.UTC().Format(time.RFC3339Nano)
		}
		if !q.To.IsZero() {
			r["lt"] = q.To.UTC().Format(time.RFC3339Nano)
		}
		filter = append(filter, map[string]any{"range": map[string]any{"published": r}})
	}
	if len(must) == 0 {
		must = append(must, map[string]any{"match_all": map[string]any{}})
	}
	return map[string]any{"bool": map[string]any{"must": must, "filter": filter}}, nil
}

// maxExpansions is how many indexed words the last word of a prefix of
// several words (经济学*, covid-1*) may stand for, as in the bleve backend.
const maxExpansions = 1000

// keywordFields maps the query language's keyword scopes to fields.
var keywordFields = map[string]string{
	store.FieldAuthor: "authors", store.FieldSite: "site", store.FieldSection: "section", store.FieldTag: "tags",
}

// textQuery translates a parsed query. A word must match title (boosted) or
// text with all of its tokens (so a Chinese word matches as all of its
// bigrams), in the cjk fields or, for a word without CJK letters, also
// their english sub-fields ("elections" finds "election"); a phrase is a
// match_phrase on title or text (a Chinese phrase as its bigrams, in order);
// a prefix of one word is a prefix query, and one of several tokens
// (经济学*) a match_phrase_prefix. title: keeps to the title; the keyword
// scopes match a value exactly (or its start). An AND's negated members are
// its must_not; a negation alone excludes from everything.
func textQuery(e *store.Expr) map[string]any {
	switch e.Op {
	case store.OpAnd:
		var must, not []any
		for _, sub := range e.Sub {
			if sub.Op == store.OpNot {
				not = append(not, textQuery(sub.Sub[0]))
			} else {
				must = append(must, textQuery(sub))
			}
		}
		if len(must) == 0 {
			must = append(must, map[string]any{"match_all": map[string]any{}})
		}
		return map[string]any{"bool": map[string]any{"must": must, "must_not": not}}
	case store.OpOr:
		var should []any
		for _, sub := range e.Sub {
			should = append(should, textQuery(sub))
		}
		return map[string]any{"bool": map[string]any{"should": should, "minimum_should_match": 1}}
	case store.OpNot:
		return map[string]any{"bool": map[string]any{
			"must":     []any{map[string]any{"match_all": map[string]any{}}},
			"must_not": []any{textQuery(e.Sub[0])},
		}}
	}
	if field, ok := keywordFields[e.Field]; ok {
		if e.Op == store.OpPrefix {
			return map[string]any{"prefix": map[string]any{field: map[string]any{"value": e.Text}}}
		}
		return map[string]any{"term": map[string]any{field: e.Text}}
	}
	type scoped struct {
		name  string
		boost float64
	}
	fields := []scoped{{"title", titleBoost}, {"text", 1}}
	if e.Field == store.FieldTitle {
		fields = fields[:1]
	}
	var should []any
	for _, f := range fields {
		switch e.Op {
		case store.OpPhrase:
			should = append(should, map[string]any{"match_phrase": map[string]any{f.name: map[string]any{
				"query": e.Text, "boost": f.boost,
			}}})
		case store.OpPrefix:
			if word, ok := oneToken(e.Text); ok {
				should = append(should, map[string]any{"prefix": map[string]any{f.name: map[string]any{
					"value": word, "boost": f.boost,
				}}})
			} else {
				should = append(should, map[string]any{"match_phrase_prefix": map[string]any{f.name: map[string]any{
					"query": e.Text, "boost": f.boost, "max_expansions": maxExpansions,
				}}})
			}
		default:
			names := []string{f.name}
			if !hasCJK(e.Text) {
				names = append(names, f.name+".en")
			}
			for _, name := range names {
				should = append(should, map[string]any{"match": map[string]any{name: map[string]any{
					"query": e.Text, "operator": "and", "boost": f.boost, "zero_terms_query": "all",
				}}})
			}
		}
	}
	return map[string]any{"bool": map[string]any{"should": should, "minimum_should_match": 1}}
}

// oneToken returns the token the cjk analyzer makes of text, lower-cased,
// when it makes one: a word of letters and digits without CJK letters, or
// one CJK letter, with any punctuation around it.
func oneToken(text string) (string, bool) {
	word := strings.TrimFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
	if word == "" {
		return "", false
	}
	if hasCJK(word) {
		return word, len([]rune(word)) == 1
	}
	for _, r := range word {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
			return "", false
		}
	}
	return word, true
}

// stopWords are the english stop words that every analyzer of the mapping
// (cjk, english) drops.
var stopWords = map[string]bool{
	"a": true, "and": true, "are": true, "as": true, "at": true, "be": true, "but": true, "by": true,
	"for": true, "if": true, "in": true, "into": true, "is": true, "it": true, "no": true, "not": true, "of": true,
	"on": true, "or": true, "such": true, "that": true, "the": true, "their": true, "then": true, "there": true,
	"these": true, "they": true, "this": true, "to": true, "was": true, "will": true, "with": true,
}

// tokenless reports whether the analyzers find no token in term: it is
// punctuation and stop words only. Such a term requires nothing; a text of
// nothing else matches nothing (as in the bleve backend).
func tokenless(term string) bool {
	words := strings.FieldsFunc(strings.ToLower(term), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
	for _, w := range words {
		if !stopWords[w] {
			return false
		}
	}
	return true
}

// hasCJK reports whether s has a Han, Hiragana, Katakana or Hangul letter.
func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return true
		}
	}
	return false
}

// Scan calls fn for every match of q, newest published first (undated
// articles last, ties by ID), ignoring q.Sort, q.Limit and q.Offset. It
// refreshes the articles index once, then pages through the matches
// with search_after on (published, id), scanPage hits per request, holding
// one page at a time, and returns fn's first error as is. Without a
// point in time (whose APIs differ between Elasticsearch 8 and OpenSearch
// 2), articles stored while Scan runs may or may not be visited, and an
// article updated meanwhile is visited at most once.
func (s *Store) Scan(ctx context.Context, q store.Query, fn func(*store.Article) error) error {
	if err := s.refresh(ctx); err != nil {
		return fmt.Errorf("elastic: scan %q: %w", q.Text, err)
	}
	var after []json.RawMessage
	for {
		hits, err := s.scanPage(ctx, q, after)
		if err != nil {
			return fmt.Errorf("elastic: scan %q: %w", q.Text, err)
		}
		for _, h := range hits {
			if err := fn(h.Source.article()); err != nil {
				return err
			}
		}
		if len(hits) < scanPage {
			return nil
		}
		after = hits[len(hits)-1].Sort
	}
}

// refresh makes every write to the articles index searchable.
func (s *Store) refresh(ctx context.Context) error {
	release, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	_, err = s.do(ctx, esapi.IndicesRefreshRequest{Index: []string{s.articles}}, nil)
	return err
}

// scanPage returns the page of matches after the sort values after (nil
// for the first page). The store is locked only while the page is read,
// not while fn runs.
func (s *Store) scanPage(ctx context.Context, q store.Query, after []json.RawMessage) ([]searchHit, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	query, err := s.query(q)
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"query":            query,
		"size":             scanPage,
		"track_total_hits": false,
		"sort":             byDate(),
	}
	if after != nil {
		body["search_after"] = after
	}
	var ans searchAnswer
	req := esapi.SearchRequest{Index: []string{s.articles}, Body: jsonBody(body)}
	if _, err := s.do(ctx, req, &ans); err != nil {
		return nil, err
	}
	for _, h := range ans.Hits.Hits {
		if h.Source == nil {
			return nil, fmt.Errorf("hit %s has no _source", h.ID)
		}
	}
	return ans.Hits.Hits, nil
}

// Similar returns the articles whose SimHash is within maxDistance bits of
// hash, nearest first: a terms query finds those sharing one of its
// bands (store.SimHashBands; at most store.SimilarCandidates), and their distance
// decides. It sees what the last refresh made searchable.
func (s *Store) Similar(ctx context.Context, hash uint64, maxDistance int) ([]*store.Article, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("elastic: similar to %016x: %w", hash, err)
	}
	defer release()
	body := map[string]any{
		"query":            map[string]any{"terms": map[string]any{"simhash_bands": store.SimHashBands(hash)}},
		"size":             store.SimilarCandidates,
		"track_total_hits": false,
		"sort":             []any{map[string]any{"id": "asc"}},
		"_source":          map[string]any{"excludes": []string{"html", "text"}},
	}
	var ans searchAnswer
	req := esapi.SearchRequest{Index: []string{s.articles}, Body: jsonBody(body)}
	if _, err := s.do(ctx, req, &ans); err != nil {
		return nil, fmt.Errorf("elastic: similar to %016x: %w", hash, err)
	}
	candidates := make([]*store.Article, 0, len(ans.Hits.Hits))
	for _, h := range ans.Hits.Hits {
		if h.Source != nil {
			candidates = append(candidates, h.Source.article())
		}
	}
	return store.NearestFirst(hash, maxDistance, candidates), nil
}
