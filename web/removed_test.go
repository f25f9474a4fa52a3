package web

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestSearchRemovedChanged checks the removed and changed parameters of
// /api/search, and that hits carry removed_at and version.
func TestSearchRemovedChanged(t *testing.T) {
	st := fixtureStore(t)
	gone := newArticle("xinhua", "zh", "https://xinhua.example/gone", "已删除的文章", "这篇文章被删除了。", time.Date(2025, 3, 6, 8, 0, 0, 0, time.UTC))
	gone.RemovedAt = time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	if _, err := st.Put(context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, st, Options{})
	var res searchJSON
	getJSON(t, srv.URL, "/api/search?removed=true", http.StatusOK, &res)
	if res.Total != 1 || res.Hits[0].ID != gone.ID || !res.Hits[0].RemovedAt.Equal(gone.RemovedAt) || !res.Query.Removed {
		t.Errorf("removed=true: %+v", res)
	}
	res = searchJSON{}
	getJSON(t, srv.URL, "/api/search?changed=true", http.StatusOK, &res)
	if res.Total != 1 || res.Hits[0].ID != versioned.ID || res.Hits[0].Version != 2 || !res.Hits[0].RemovedAt.IsZero() {
		t.Errorf("changed=true: %+v", res)
	}
	res = searchJSON{}
	getJSON(t, srv.URL, "/api/search?changed=true&removed=true", http.StatusOK, &res)
	if res.Total != 0 {
		t.Errorf("changed=true&removed=true: %d hits, want 0", res.Total)
	}
	var e apiError
	getJSON(t, srv.URL, "/api/search?removed=yes", http.StatusBadRequest, &e)
}
