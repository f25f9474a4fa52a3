// Package remote carries the reads of a store.Store over HTTP: Handler
// serves a Store, and Store reads one back. The process that owns an
// embedded archive (which one process at a time may open) answers the
// others through it. Only reads travel (Get, Versions, Search, Similar,
// Scan); writes stay with the owner. The transport (a Unix socket, loopback
// TCP) and any authentication are the caller's.
package remote

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"newsarc/store"
)

// ErrReadOnly is returned by Store.Put: writes are the owner's.
var ErrReadOnly = errors.New("remote: read-only: the process that owns the archive writes it")

// Error kinds carried with an error answer, so that the client's errors
// match the store's sentinels.
const (
	kindNotFound  = "not_found"
	kindClosed    = "closed"
	kindCorrupt   = "corrupt"
	kindTransient = "transient"
	kindCanceled  = "canceled"
	kindFacet     = "unknown_facet"
)

type errorBody struct {
	Error string `json:"error"`
	Kind  string `json:"kind,omitempty"`
}

func kindOf(err error) string {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return kindNotFound
	case errors.Is(err, store.ErrClosed):
		return kindClosed
	case errors.Is(err, store.ErrCorrupt):
		return kindCorrupt
	case store.IsTransient(err):
		return kindTransient
	case errors.Is(err, context.Canceled):
		return kindCanceled
	case errors.Is(err, store.ErrUnknownFacet):
		return kindFacet
	}
	return ""
}

// Error is an error the serving store returned: its message as it was,
// and the sentinel it wrapped (store.ErrNotFound, store.ErrClosed,
// store.ErrCorrupt, store.ErrUnknownFacet, context.Canceled), if any.
type Error struct {
	Msg  string
	Kind string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel the serving store's error wrapped, or nil.
func (e *Error) Unwrap() error {
	switch e.Kind {
	case kindNotFound:
		return store.ErrNotFound
	case kindClosed:
		return store.ErrClosed
	case kindCorrupt:
		return store.ErrCorrupt
	case kindTransient:
		return &store.TransientError{Err: errors.New(e.Msg)}
	case kindCanceled:
		return context.Canceled
	case kindFacet:
		return store.ErrUnknownFacet
	}
	return nil
}

// scanFrame is one line of a scan answer: an article, the error that
// stopped the scan, or the end. A stream that stops without an end or an
// error frame was cut.
type scanFrame struct {
	Article *store.Article `json:"a,omitempty"`
	Err     *errorBody     `json:"err,omitempty"`
	End     bool           `json:"end,omitempty"`
}

type similarRequest struct {
	Hash        uint64 `json:"hash"`
	MaxDistance int    `json:"max_distance"`
}

// Handler serves the reads of st:
//
//	POST /search    store.Query as JSON → store.Results
//	POST /scan      store.Query as JSON → one JSON frame a line
//	GET  /get?id=   → store.Article
//	GET  /versions?id= → []store.Article
//	POST /similar   {"hash": h, "max_distance": d} → []store.Article
//
// Errors are answered as {"error": message, "kind": sentinel}.
func Handler(st store.Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /search", func(w http.ResponseWriter, r *http.Request) {
		var q store.Query
		if !decode(w, r, &q) {
			return
		}
		res, err := st.Search(r.Context(), q)
		answer(w, res, err)
	})
	mux.HandleFunc("POST /scan", func(w http.ResponseWriter, r *http.Request) {
		var q store.Query
		if !decode(w, r, &q) {
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		bw := bufio.NewWriterSize(w, 1<<16)
		enc := json.NewEncoder(bw)
		err := st.Scan(r.Context(), q, func(a *store.Article) error {
			return enc.Encode(scanFrame{Article: a})
		})
		if err != nil {
			enc.Encode(scanFrame{Err: &errorBody{Error: err.Error(), Kind: kindOf(err)}})
		} else {
			enc.Encode(scanFrame{End: true})
		}
		bw.Flush()
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		a, err := st.Get(r.Context(), r.URL.Query().Get("id"))
		answer(w, a, err)
	})
	mux.HandleFunc("GET /versions", func(w http.ResponseWriter, r *http.Request) {
		v, err := st.Versions(r.Context(), r.URL.Query().Get("id"))
		answer(w, v, err)
	})
	mux.HandleFunc("POST /similar", func(w http.ResponseWriter, r *http.Request) {
		var req similarRequest
		if !decode(w, r, &req) {
			return
		}
		v, err := st.Similar(r.Context(), req.Hash, req.MaxDistance)
		answer(w, v, err)
	})
	return mux
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: fmt.Sprintf("remote: bad request: %v", err)})
		return false
	}
	return true
}

func answer(w http.ResponseWriter, v any, err error) {
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, store.ErrNotFound) {
			status = http.StatusNotFound
		}
		writeJSON(w, status, errorBody{Error: err.Error(), Kind: kindOf(err)})
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"remote: cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// Store reads a store.Store that Handler serves. It is safe for concurrent
// use.
type Store struct {
	c    *http.Client
	base string
}

var _ store.Store = (*Store)(nil)

// New returns a Store that reads the Handler at base (e.g.
// "http://owner/store") with c, which knows how to reach it.
func New(c *http.Client, base string) *Store {
	return &Store{c: c, base: base}
}

func (s *Store) do(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("remote: %s: %w", path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("remote: %s: %w", path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("remote: %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		var e errorBody
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e); err != nil || e.Error == "" {
			return nil, fmt.Errorf("remote: %s: %s", path, resp.Status)
		}
		return nil, &Error{Msg: e.Error, Kind: e.Kind}
	}
	return resp, nil
}

func (s *Store) call(ctx context.Context, method, path string, in, out any) error {
	resp, err := s.do(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("remote: %s: read the answer: %w", path, err)
	}
	return nil
}

// Put returns ErrReadOnly.
func (s *Store) Put(context.Context, ...*store.Article) ([]store.Change, error) {
	return nil, ErrReadOnly
}

// Get returns the article with id, or an error wrapping store.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (*store.Article, error) {
	var a store.Article
	if err := s.call(ctx, http.MethodGet, "/get?id="+url.QueryEscape(id), nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Versions returns the earlier versions of an article, oldest first.
func (s *Store) Versions(ctx context.Context, id string) ([]*store.Article, error) {
	var v []*store.Article
	if err := s.call(ctx, http.MethodGet, "/versions?id="+url.QueryEscape(id), nil, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// Search returns the serving store's results for q.
func (s *Store) Search(ctx context.Context, q store.Query) (*store.Results, error) {
	var res store.Results
	if err := s.call(ctx, http.MethodPost, "/search", q, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Similar returns the serving store's near-duplicates of hash.
func (s *Store) Similar(ctx context.Context, hash uint64, maxDistance int) ([]*store.Article, error) {
	var v []*store.Article
	if err := s.call(ctx, http.MethodPost, "/similar", similarRequest{Hash: hash, MaxDistance: maxDistance}, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// Scan streams the matches of q from the serving store to fn, in its
// order, and stops at fn's first error, which it returns. A stream cut
// before its end is an error.
func (s *Store) Scan(ctx context.Context, q store.Query, fn func(*store.Article) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the server's scan when fn stops early
	resp, err := s.do(ctx, http.MethodPost, "/scan", q)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(resp.Body, 1<<16))
	for {
		var f scanFrame
		if err := dec.Decode(&f); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("remote: scan cut short: %w", err)
		}
		switch {
		case f.Article != nil:
			if err := fn(f.Article); err != nil {
				return err
			}
		case f.Err != nil:
			return &Error{Msg: f.Err.Error, Kind: f.Err.Kind}
		case f.End:
			return nil
		}
	}
}

// Close releases idle connections; the serving store stays open.
func (s *Store) Close() error {
	s.c.CloseIdleConnections()
	return nil
}
