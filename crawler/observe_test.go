package crawler_test

import (
	"context"
	"maps"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"newsarc/crawler"
	"newsarc/crawler/samplesite"
	"newsarc/extract"
	"newsarc/store"
)

// tally is an Observer that counts what it is told.
type tally struct {
	mu        sync.Mutex
	fetched   int
	bytes     int64
	statuses  map[int]int
	trips     int
	changes   map[store.Change]int
	errors    map[string]int
	skipped   map[string]int
	wrongSite int
}

func newTally() *tally {
	return &tally{statuses: map[int]int{}, changes: map[store.Change]int{}, errors: map[string]int{}, skipped: map[string]int{}}
}

func (t *tally) site(s string) {
	if s != "sample" {
		t.wrongSite++
	}
}

func (t *tally) Fetched(site string, status, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.site(site)
	t.fetched++
	t.bytes += int64(n)
	t.statuses[status]++
}

func (t *tally) RoundTrip(site string, _ int, dur time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.site(site)
	if dur > 0 {
		t.trips++
	}
}

func (t *tally) Archived(site string, ch store.Change) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.site(site)
	t.changes[ch]++
}

func (t *tally) Failed(site, kind string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.site(site)
	t.errors[kind]++
}

func (t *tally) Skipped(site, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.site(site)
	t.skipped[reason]++
}

// TestObserverAgreesWithStats crawls the fixture site (pages that fail,
// robots.txt refusals, traps, 304s on the second run) twice: each time the
// Observer is told exactly what Stats counts.
func TestObserverAgreesWithStats(t *testing.T) {
	srv := httptest.NewServer(samplesite.New().Handler())
	defer srv.Close()
	state, err := crawler.OpenState(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()
	st := openStore(t)
	for run := 1; run <= 2; run++ {
		obs := newTally()
		cfg := testConfig()
		cfg.State = state
		cfg.Observer = obs
		cfg.MaxBodySize = 1 << 20                      // /trouble/huge fails as too_large
		cfg.Revisit = []time.Duration{time.Nanosecond} // the second run fetches the articles again
		c := crawler.New(cfg, st, nil)
		stats, err := c.Run(context.Background(), crawler.Site{Name: "sample", Seeds: []string{srv.URL + "/",
			srv.URL + "/trouble/500", srv.URL + "/trouble/redirect-loop", srv.URL + "/trouble/huge", srv.URL + "/no-such-story"}},
			extract.New(extract.DefaultOptions()))
		if err != nil {
			t.Fatal(err)
		}
		if stats.Fetched == 0 || len(stats.Skipped) == 0 || len(stats.Errors) < 3 || run == 1 && stats.New == 0 || run == 2 && stats.NotModified == 0 {
			t.Fatalf("run %d: the fixture crawl did too little to compare: %+v", run, stats)
		}
		if obs.fetched != stats.Fetched || obs.bytes != stats.Bytes {
			t.Errorf("run %d: observer fetched %d pages, %d bytes; stats %d, %d", run, obs.fetched, obs.bytes, stats.Fetched, stats.Bytes)
		}
		if obs.changes[store.Created] != stats.New || obs.changes[store.Updated] != stats.Updated || obs.changes[store.Unchanged] != stats.Unchanged {
			t.Errorf("run %d: observer articles %v; stats new %d, updated %d, unchanged %d", run, obs.changes, stats.New, stats.Updated, stats.Unchanged)
		}
		if !maps.Equal(obs.errors, stats.Errors) {
			t.Errorf("run %d: observer errors %v; stats %v", run, obs.errors, stats.Errors)
		}
		if !maps.Equal(obs.skipped, stats.Skipped) {
			t.Errorf("run %d: observer skipped %v; stats %v", run, obs.skipped, stats.Skipped)
		}
		if obs.trips < stats.Fetched {
			t.Errorf("run %d: %d round trips timed for %d pages fetched", run, obs.trips, stats.Fetched)
		}
		if obs.wrongSite > 0 {
			t.Errorf("run %d: %d events named another site", run, obs.wrongSite)
		}
		if run == 2 && obs.statuses[304] != stats.NotModified {
			t.Errorf("run 2: observer saw %d responses 304; stats %d not modified", obs.statuses[304], stats.NotModified)
		}
	}
}
