package crawler

import (
	"path/filepath"
	"testing"
	"time"
)

// TestPanicStateRests: a page that panics rests for Revisit's first
// interval, then the next ones, each time it panics again in a row; a
// fetch that does not panic starts the count again.
func TestPanicStateRests(t *testing.T) {
	state, err := OpenState(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()
	c := New(Config{Revisit: []time.Duration{time.Hour, 24 * time.Hour}}, nil, nil)
	r := &run{c: c, site: Site{Name: "s"}, state: state, runID: 7}
	const u = "http://news.example.com/a/"
	if err := state.done("s", u, PageState{Kind: "article", ArticleID: "id1", Interval: 1}); err != nil {
		t.Fatal(err)
	}
	for i, rest := range []time.Duration{time.Hour, 24 * time.Hour, 24 * time.Hour} {
		ps := r.panicState(u)
		if ps.Kind != "panic" || ps.Panics != i+1 || ps.NextDue.Sub(ps.FetchedAt) != rest || ps.Run != 7 || ps.ArticleID != "id1" {
			t.Fatalf("panic %d: state %+v, want kind panic, panics %d, rest %v, the article kept", i+1, ps, i+1, rest)
		}
		if err := state.done("s", u, ps); err != nil {
			t.Fatal(err)
		}
	}
	if due := state.due("s", time.Now().Add(25*time.Hour)); len(due) != 1 || due[0] != u {
		t.Errorf("due after its rest: %v, want the archived article back", due)
	}
	if due := state.due("s", time.Now()); len(due) != 0 {
		t.Errorf("due while resting: %v", due)
	}
	if err := state.done("s", u, PageState{Kind: "article", ArticleID: "id1"}); err != nil {
		t.Fatal(err)
	}
	if ps := r.panicState(u); ps.Panics != 1 || ps.NextDue.Sub(ps.FetchedAt) != time.Hour {
		t.Errorf("after a good fetch: panics %d, rest %v; want 1 and the first interval", ps.Panics, ps.NextDue.Sub(ps.FetchedAt))
	}
}
