package web

import (
	"context"
	"net/http"
	"time"
)

// Run is one crawl of one site as GET /api/runs lists it: running (with
// its latest counts) or recorded.
type Run struct {
	Site     string    `json:"site"`
	Trigger  string    `json:"trigger"` // "manual", "schedule", "admin", "demo"
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"` // zero while running
	Running  bool      `json:"running"`
	// Status is "running", "ok", "failed" or "interrupted"; Error says why
	// a run failed.
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	Pages  int    `json:"pages"`  // responses received
	Queued int    `json:"queued"` // URLs handed to the fetcher
	// Waiting: URLs the crawl frontier holds unfinished, as last counted
	// (what the crawl has left; zero once it is done).
	Waiting     int64 `json:"waiting,omitempty"`
	Articles    int   `json:"articles"`
	New         int   `json:"new"`
	Updated     int   `json:"updated"`
	NotModified int   `json:"not_modified"`
	Errors      int   `json:"errors"`
	Bytes       int64 `json:"bytes"`
	// Rate is pages fetched per second; ETASeconds, for a running crawl
	// with URLs still queued, how long those take at that rate (zero
	// when unknown).
	Rate       float64 `json:"rate"`
	ETASeconds float64 `json:"eta_seconds,omitempty"`
}

// runsAnswer is the body of GET /api/runs.
type runsAnswer struct {
	Runs  []Run    `json:"runs"`
	Sites []string `json:"sites"` // the sites an admin may crawl
	Admin bool     `json:"admin"` // POST /api/admin/crawl is served
}

// RunsFunc lists crawl runs, running ones first, then recorded ones newest
// first, at most limit of those.
type RunsFunc func(ctx context.Context, limit int) ([]Run, error)

func (h *Handler) runs(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	limit, err := p.number("limit", 50, 1, 1000)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	runs, err := h.opts.Runs(r.Context(), limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, runsAnswer{Runs: nonNil(runs), Sites: nonNil(h.opts.Sites),
		Admin: h.opts.AdminToken != "" && h.opts.Admin != nil})
}
