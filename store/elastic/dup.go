package elastic

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"newsarc/store"
)

// linkSource is the part of a document's _source that linking reads.
var linkSource = []string{"id", "simhash", "cluster", "duplicate_of", "published"}

// hammingScript keeps the documents whose simhash (16 hex digits, read
// from its doc values) is within params.d bits of params.h. Painless, as
// every Elasticsearch and OpenSearch node has it.
const hammingScript = `def f = doc['simhash']; if (f.size() == 0) { return false; } ` +
	`return Long.bitCount(Long.parseUnsignedLong(f.value, 16) ^ params.h) <= params.d;`

// LinkRecord returns the link record of the article id, read in real time
// with only the fields linking needs, or an error wrapping
// store.ErrNotFound.
func (s *Store) LinkRecord(ctx context.Context, id string) (store.LinkRecord, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return store.LinkRecord{}, fmt.Errorf("elastic: link record of %s: %w", id, err)
	}
	defer release()
	var out struct {
		Docs []hit `json:"docs"`
	}
	req := esapi.MgetRequest{Index: s.articles, Body: jsonBody(map[string]any{"ids": []string{id}}), SourceIncludes: linkSource}
	if _, err := s.do(ctx, req, &out); err != nil {
		return store.LinkRecord{}, fmt.Errorf("elastic: link record of %s: %w", id, err)
	}
	for _, h := range out.Docs {
		if h.Error != nil {
			err := &ResponseError{Status: http.StatusServiceUnavailable, Type: h.Error.Type, Reason: h.Error.Reason}
			return store.LinkRecord{}, fmt.Errorf("elastic: link record of %s: %w", id, &store.TransientError{Err: err})
		}
		if h.Found && h.Source != nil && h.ID == id {
			return linkOfDoc(id, h.Source), nil
		}
	}
	return store.LinkRecord{}, fmt.Errorf("elastic: link record of %s: %w", id, store.ErrNotFound)
}

// linkOfDoc returns the link record of a document read with linkSource.
func linkOfDoc(id string, d *doc) store.LinkRecord {
	return store.LinkOf(&store.Article{ID: id, SimHash: d.SimHash, Cluster: d.Cluster, DuplicateOf: d.DuplicateOf, Published: timeOf(d.Published)})
}

// NearLinks returns the link records of the articles whose SimHash is
// within maxDistance bits of hash, nearest first, then by ID (at most
// store.NearLinksLimit). A terms query on the SimHash bands finds the
// candidates and a Painless filter on the simhash doc values keeps those
// within the distance, on the server: only matches come back, with only
// the fields linking needs, and there is no cut among the candidates. A
// node that refuses the script (scripting turned off) gets the band query
// alone, and the distance is then checked here. It sees what the last
// refresh made searchable.
func (s *Store) NearLinks(ctx context.Context, hash uint64, maxDistance int) ([]store.LinkRecord, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("elastic: near links of %016x: %w", hash, err)
	}
	defer release()
	recs, err := s.nearLinks(ctx, hash, maxDistance, !s.noScript.Load())
	var re *ResponseError
	if err != nil && errors.As(err, &re) && re.Status == http.StatusBadRequest && !s.noScript.Load() && ctx.Err() == nil {
		// The script was refused: the bands alone, and distances here.
		s.log.Warn("elastic: the near-duplicate filter script was refused; checking distances here", "err", err)
		s.noScript.Store(true)
		recs, err = s.nearLinks(ctx, hash, maxDistance, false)
	}
	if err != nil {
		return nil, fmt.Errorf("elastic: near links of %016x: %w", hash, err)
	}
	return recs, nil
}

// nearLinks asks for the articles sharing a band with hash, filtered by
// hammingScript when script is set.
func (s *Store) nearLinks(ctx context.Context, hash uint64, maxDistance int, script bool) ([]store.LinkRecord, error) {
	bands := map[string]any{"terms": map[string]any{"simhash_bands": store.SimHashBands(hash)}}
	query := bands
	if script {
		query = map[string]any{"bool": map[string]any{"filter": []any{bands,
			map[string]any{"script": map[string]any{"script": map[string]any{
				"source": hammingScript,
				"params": map[string]any{"h": int64(hash), "d": maxDistance},
			}}},
		}}}
	}
	body := map[string]any{
		"query":            query,
		"size":             store.NearLinksLimit,
		"track_total_hits": false,
		"_source":          linkSource,
	}
	var ans searchAnswer
	req := esapi.SearchRequest{Index: []string{s.articles}, Body: jsonBody(body)}
	if _, err := s.do(ctx, req, &ans); err != nil {
		return nil, err
	}
	recs := make([]store.LinkRecord, 0, len(ans.Hits.Hits))
	for _, h := range ans.Hits.Hits {
		if h.Source != nil {
			recs = append(recs, linkOfDoc(h.ID, h.Source))
		}
	}
	return store.NearestLinks(hash, maxDistance, store.NearLinksLimit, recs), nil
}
