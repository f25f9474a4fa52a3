package crawler

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/boltfrontier"
)

// TestPanicStateRests: a page that panics rests for Revisit's first
// interval, then the next ones, each time it panics again in a row; a
// fetch that does not panic starts the count again.
func TestPanicStateRests(t *testing.T) {
	f, err := boltfrontier.Open(filepath.Join(t.TempDir(), "frontier.db"), frontier.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	c := New(Config{Revisit: []time.Duration{time.Hour, 24 * time.Hour}}, nil, nil)
	r := &run{c: c, site: Site{Name: "s"}, runID: 7, ctx: ctx}
	r.dist = newDist(r, f, "local", true)
	const u = "http://news.example.com/a/"
	done := func(ps PageState) {
		t.Helper()
		if err := f.PutPages(ctx, "s", frontier.Record{URL: u, State: ps}); err != nil {
			t.Fatal(err)
		}
	}
	due := func(at time.Time) []string {
		t.Helper()
		d, err := f.Due(ctx, "s", at)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	done(PageState{Kind: "article", ArticleID: "id1", Interval: 1})
	for i, rest := range []time.Duration{time.Hour, 24 * time.Hour, 24 * time.Hour} {
		ps := r.panicState(u)
		if ps.Kind != "panic" || ps.Panics != i+1 || ps.NextDue.Sub(ps.FetchedAt) != rest || ps.Run != 7 || ps.ArticleID != "id1" {
			t.Fatalf("panic %d: state %+v, want kind panic, panics %d, rest %v, the article kept", i+1, ps, i+1, rest)
		}
		done(ps)
	}
	if d := due(time.Now().Add(25 * time.Hour)); len(d) != 1 || d[0] != u {
		t.Errorf("due after its rest: %v, want the archived article back", d)
	}
	if d := due(time.Now()); len(d) != 0 {
		t.Errorf("due while resting: %v", d)
	}
	done(PageState{Kind: "article", ArticleID: "id1"})
	if ps := r.panicState(u); ps.Panics != 1 || ps.NextDue.Sub(ps.FetchedAt) != time.Hour {
		t.Errorf("after a good fetch: panics %d, rest %v; want 1 and the first interval", ps.Panics, ps.NextDue.Sub(ps.FetchedAt))
	}
}
