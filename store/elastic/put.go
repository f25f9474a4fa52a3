package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/elastic/go-elasticsearch/v8/esutil"

	"newsarc/store"
)

// putAttempts bounds how often Put re-reads and rewrites articles that
// another writer changed between its read and its write.
const putAttempts = 8

// DocError is the failure of one document of a bulk request.
type DocError struct {
	ID     string // document ID
	Index  string // index written to
	Status int    // HTTP status of the item; 0 when the whole request failed
	Type   string // error type, e.g. "document_parsing_exception"
	Reason string
	Err    error // the failure of the whole request, when Status is 0
}

func (e *DocError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("document %s in %s: %v", e.ID, e.Index, e.Err)
	}
	return fmt.Sprintf("document %s in %s: status %d: %s: %s", e.ID, e.Index, e.Status, e.Type, e.Reason)
}

func (e *DocError) Unwrap() error { return e.Err }

// transient reports whether retrying the document may succeed.
func (e *DocError) transient() bool {
	if e.Err != nil {
		return store.IsTransient(e.Err)
	}
	return transientStatus(e.Status)
}

// current is what Put knows of an article's stored record.
type current struct {
	doc      *doc // nil when there is none
	seqNo    int64
	primTerm int64
}

// Put inserts or updates articles by ID and reports per article whether it
// was created, updated (new ContentHash: the stored record is copied to the
// versions index as "<id>-v<version>" and Version goes up by one) or
// unchanged (the record is rewritten with the new fetch time and metadata,
// Version kept). An empty ContentHash is computed from Text. Raw is not
// stored: the WARC archive keeps raw captures. Articles repeated in one call
// are applied in order. Put does not modify the articles it is given.
//
// Put reads the stored records with one mget, writes earlier versions with
// one bulk request and then the records with another (refresh per
// Config.Refresh, wait_for by default, so that Search sees them when Put
// returns). Each record is written only if nobody changed it since the
// read (if_seq_no); articles that lost such a race are read and applied
// again. Failed documents come back as *DocError values joined in the
// error; when the cluster is unreachable or overloaded the error satisfies
// store.IsTransient, and putting the same articles again is safe.
func (s *Store) Put(ctx context.Context, articles ...*store.Article) ([]store.Change, error) {
	n := len(articles)
	for i, a := range articles {
		if a == nil || a.ID == "" {
			return nil, fmt.Errorf("elastic: put %d articles: article %d has no id", n, i)
		}
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("elastic: put %d articles: %w", n, err)
	}
	defer release()

	changes := make([]store.Change, n)
	pending := make([]int, n) // indexes into articles still to write
	for i := range pending {
		pending[i] = i
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt == putAttempts {
			return nil, fmt.Errorf("elastic: put %d articles: %d still conflict after %d attempts", n, len(pending), attempt)
		}
		conflicted, err := s.putOnce(ctx, articles, pending, changes)
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return nil, fmt.Errorf("elastic: put %d articles: %w", n, err)
		}
		pending = conflicted
	}
	return changes, nil
}

// putOnce applies articles[pending] on top of the stored records, filling
// in changes, and returns the indexes of articles whose record another
// writer changed meanwhile.
func (s *Store) putOnce(ctx context.Context, articles []*store.Article, pending []int, changes []store.Change) ([]int, error) {
	ids := make([]string, 0, len(pending))
	seen := map[string]bool{}
	for _, i := range pending {
		if id := articles[i].ID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	stored, err := s.mget(ctx, s.articles, ids)
	if err != nil {
		return nil, fmt.Errorf("read stored records: %w", err)
	}

	state := make(map[string]*current, len(ids))
	for _, id := range ids {
		c := &current{}
		if h := stored[id]; h != nil {
			c.doc, c.seqNo, c.primTerm = h.Source, h.SeqNo, h.PrimaryTerm
		}
		state[id] = c
	}
	exists := map[string]bool{}
	for id, c := range state {
		exists[id] = c.doc != nil
	}
	var versions []*doc
	for _, i := range pending {
		a := articles[i]
		rec := toDoc(a)
		if rec.ContentHash == "" {
			rec.ContentHash = store.HashText(rec.Text)
		}
		c := state[a.ID]
		switch {
		case c.doc == nil:
			changes[i], rec.Version = store.Created, 1
		case c.doc.ContentHash != rec.ContentHash:
			changes[i], rec.Version = store.Updated, c.doc.Version+1
			versions = append(versions, c.doc)
		default:
			changes[i], rec.Version = store.Unchanged, c.doc.Version
		}
		c.doc = rec
	}

	if len(versions) > 0 {
		items := make([]bulkItem, len(versions))
		for i, v := range versions {
			items[i] = bulkItem{index: s.versions, id: v.ID + "-v" + strconv.Itoa(v.Version), doc: v}
		}
		if _, err := s.bulk(ctx, items, RefreshFalse); err != nil {
			return nil, fmt.Errorf("keep earlier versions: %w", err)
		}
	}

	items := make([]bulkItem, 0, len(ids))
	for _, id := range ids {
		c := state[id]
		it := bulkItem{index: s.articles, id: id, doc: c.doc}
		if exists[id] {
			it.seqNo, it.primTerm = &c.seqNo, &c.primTerm
		} else {
			it.create = true
		}
		items = append(items, it)
	}
	conflicts, err := s.bulk(ctx, items, s.cfg.Refresh)
	if err != nil {
		return nil, err
	}
	var again []int
	for _, i := range pending {
		if conflicts[articles[i].ID] {
			again = append(again, i)
		}
	}
	return again, nil
}

// bulkItem is one document to write.
type bulkItem struct {
	index, id string
	doc       *doc
	create    bool   // fail if the document exists
	seqNo     *int64 // write only if the stored document has this sequence number
	primTerm  *int64
}

// bulk writes items with esutil.BulkIndexer (requests of at most 5 MB,
// retried by the client on 429 and 5xx with backoff) and refresh policy
// refresh. It returns the IDs whose write lost an optimistic concurrency
// race (409), and the other failures as *DocError values joined, wrapped
// in a store.TransientError when any of them may pass on retry.
func (s *Store) bulk(ctx context.Context, items []bulkItem, refresh string) (conflicts map[string]bool, err error) {
	rec := &recorder{next: s.client}
	bi, err := esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
		Client:        rec,
		NumWorkers:    min(4, 1+len(items)/1000),
		FlushBytes:    5 << 20,
		Refresh:       refresh,
		OnFlushStart:  func(context.Context) context.Context { return ctx },
		FlushInterval: defaultFlushInterval,
	})
	if err != nil {
		return nil, fmt.Errorf("bulk index %d docs: %w", len(items), err)
	}
	var (
		mu   sync.Mutex
		errs []error
	)
	conflicts = map[string]bool{}
	transient := false
	onFailure := func(_ context.Context, it esutil.BulkIndexerItem, res esutil.BulkIndexerResponseItem, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err == nil && res.Status == http.StatusConflict {
			conflicts[it.DocumentID] = true
			return
		}
		de := &DocError{ID: it.DocumentID, Index: it.Index, Status: res.Status, Type: res.Error.Type, Reason: res.Error.Reason}
		if err != nil {
			de.Status = 0
			de.Err = rec.failure(ctx, err)
		}
		if res.Error.Cause.Reason != "" {
			de.Reason += " (" + res.Error.Cause.Type + ": " + res.Error.Cause.Reason + ")"
		}
		transient = transient || de.transient()
		errs = append(errs, de)
	}
	for _, it := range items {
		body, err := json.Marshal(it.doc)
		if err != nil {
			return nil, fmt.Errorf("bulk index %d docs: encode %s: %w", len(items), it.id, err)
		}
		action := "index"
		if it.create {
			action = "create"
		}
		err = bi.Add(ctx, esutil.BulkIndexerItem{
			Index:         it.index,
			Action:        action,
			DocumentID:    it.id,
			Body:          bytes.NewReader(body),
			IfSeqNo:       it.seqNo,
			IfPrimaryTerm: it.primTerm,
			OnFailure:     onFailure,
		})
		if err != nil {
			_ = bi.Close(context.Background())
			return nil, fmt.Errorf("bulk index %d docs: %w", len(items), err)
		}
	}
	if err := bi.Close(ctx); err != nil {
		return nil, fmt.Errorf("bulk index %d docs: %w", len(items), err)
	}
	if len(errs) == 0 {
		return conflicts, nil
	}
	err = fmt.Errorf("bulk index %d docs: %d failed: %w", len(items), len(errs), errors.Join(errs...))
	if transient {
		err = &store.TransientError{Err: err}
	}
	return conflicts, err
}

// defaultFlushInterval is long: every Put closes its indexer, which
// flushes.
const defaultFlushInterval = 30 * time.Second

// recorder passes bulk requests to the client and remembers why the last
// one failed, which the bulk indexer reports as text only.
type recorder struct {
	next esapi.Transport
	mu   sync.Mutex
	err  error // transport error or *ResponseError of the last failed request
}

func (r *recorder) Perform(req *http.Request) (*http.Response, error) {
	res, err := r.next.Perform(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil:
		r.err = err
	case res.StatusCode >= 300:
		r.err = &ResponseError{Status: res.StatusCode, Reason: "bulk request failed"}
	}
	return res, err
}

// failure returns the error to report for a failed bulk request, err being
// the indexer's description of it.
func (r *recorder) failure(ctx context.Context, err error) error {
	r.mu.Lock()
	last := r.err
	r.mu.Unlock()
	var re *ResponseError
	switch {
	case last == nil:
		return err
	case errors.As(last, &re):
		if transientStatus(re.Status) {
			return &store.TransientError{Err: err}
		}
		return err
	default:
		return classify(ctx, last)
	}
}

// hit is one document of an mget answer.
type hit struct {
	ID          string `json:"_id"`
	Found       bool   `json:"found"`
	SeqNo       int64  `json:"_seq_no"`
	PrimaryTerm int64  `json:"_primary_term"`
	Source      *doc   `json:"_source"`
	Error       *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

// mget reads documents by ID in real time (no refresh needed) and returns
// those found.
func (s *Store) mget(ctx context.Context, index string, ids []string) (map[string]*hit, error) {
	found := make(map[string]*hit, len(ids))
	if len(ids) == 0 {
		return found, nil
	}
	var out struct {
		Docs []hit `json:"docs"`
	}
	req := esapi.MgetRequest{Index: index, Body: jsonBody(map[string]any{"ids": ids})}
	if _, err := s.do(ctx, req, &out); err != nil {
		return nil, err
	}
	for i := range out.Docs {
		h := &out.Docs[i]
		if h.Error != nil {
			// A shard that is not (yet) available, as while a node
			// recovers, fails its documents one by one: transient.
			// A missing index is not.
			err := &ResponseError{Status: http.StatusServiceUnavailable, Type: h.Error.Type, Reason: h.Error.Reason}
			if h.Error.Type == "index_not_found_exception" {
				err.Status = http.StatusNotFound
				return nil, err
			}
			return nil, &store.TransientError{Err: err}
		}
		if h.Found && h.Source != nil {
			found[h.ID] = h
		}
	}
	return found, nil
}

// Get returns the current version of an article, in real time (without
// waiting for a refresh), or an error wrapping store.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (*store.Article, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("elastic: get %s: %w", id, err)
	}
	defer release()
	docs, err := s.mget(ctx, s.articles, []string{id})
	if err != nil {
		return nil, fmt.Errorf("elastic: get %s: %w", id, err)
	}
	h := docs[id]
	if h == nil {
		return nil, fmt.Errorf("elastic: get %s: %w", id, store.ErrNotFound)
	}
	return h.Source.article(), nil
}

// Versions returns the earlier versions of an article, oldest first (empty
// when it never changed), or an error wrapping store.ErrNotFound. It reads
// "<id>-v1" ... "<id>-v<Version-1>" from the versions index with one mget.
func (s *Store) Versions(ctx context.Context, id string) ([]*store.Article, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("elastic: versions of %s: %w", id, err)
	}
	defer release()
	docs, err := s.mget(ctx, s.articles, []string{id})
	if err != nil {
		return nil, fmt.Errorf("elastic: versions of %s: %w", id, err)
	}
	h := docs[id]
	if h == nil {
		return nil, fmt.Errorf("elastic: versions of %s: %w", id, store.ErrNotFound)
	}
	ids := make([]string, 0, h.Source.Version)
	for v := 1; v < h.Source.Version; v++ {
		ids = append(ids, id+"-v"+strconv.Itoa(v))
	}
	old, err := s.mget(ctx, s.versions, ids)
	if err != nil {
		return nil, fmt.Errorf("elastic: versions of %s: %w", id, err)
	}
	out := []*store.Article{}
	for _, vid := range ids {
		if h := old[vid]; h != nil {
			out = append(out, h.Source.article())
		}
	}
	return out, nil
}
