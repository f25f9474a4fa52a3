package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestRuns: GET /api/runs lists what Runs returns, with the sites and
// whether the admin endpoint is on; without Runs there is no endpoint.
func TestRuns(t *testing.T) {
	started := time.Date(2025, 2, 18, 2, 30, 0, 0, time.UTC)
	var gotLimit int
	h := New(nil, Options{
		Runs: func(ctx context.Context, limit int) ([]Run, error) {
			gotLimit = limit
			return []Run{{Site: "sample", Trigger: "schedule", Started: started, Running: true, Status: "running", Pages: 10, Queued: 30, Rate: 2, ETASeconds: 10}}, nil
		},
		Sites:      []string{"sample"},
		AdminToken: "t",
		Admin:      func(context.Context, string) error { return nil },
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/runs?limit=5", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var body struct {
		Runs  []Run
		Sites []string
		Admin bool
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if gotLimit != 5 || len(body.Runs) != 1 || !body.Runs[0].Running || body.Runs[0].ETASeconds != 10 || !body.Admin || len(body.Sites) != 1 {
		t.Errorf("limit %d, answer %+v", gotLimit, body)
	}
	for _, q := range []string{"limit=0", "limit=x"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/runs?"+q, nil))
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d", q, rec.Code)
		}
	}

	rec = httptest.NewRecorder()
	New(nil, Options{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/runs", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("without Runs: status %d", rec.Code)
	}
}
