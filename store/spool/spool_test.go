package spool

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/storetest"
)

func init() {
	minBackoff = 10 * time.Millisecond
	maxBackoff = 100 * time.Millisecond
	closeTimeout = 5 * time.Second
}

// outage wraps a store and fails Put transiently while down, and for good
// for the IDs in refuse: the faults of a cluster that cannot be caused with
// an embedded store.
type outage struct {
	store.Store
	mu     sync.Mutex
	down   bool
	refuse map[string]bool
	puts   int // successful Put calls

	failAfter int // when > 0, go down after that many successful Puts
}

func (o *outage) setDown(down bool) {
	o.mu.Lock()
	o.down = down
	o.mu.Unlock()
}

func (o *outage) Put(ctx context.Context, articles ...*store.Article) ([]store.Change, error) {
	o.mu.Lock()
	if o.failAfter > 0 && o.puts >= o.failAfter {
		o.down = true
	}
	down := o.down
	refused := false
	for _, a := range articles {
		refused = refused || o.refuse[a.ID]
	}
	o.mu.Unlock()
	if down {
		return nil, &store.TransientError{Err: errors.New("fake outage: connection refused")}
	}
	if refused {
		return nil, errors.New("fake refusal: mapping error")
	}
	changes, err := o.Store.Put(ctx, articles...)
	if err == nil {
		o.mu.Lock()
		o.puts++
		o.mu.Unlock()
	}
	return changes, err
}

// LinkRecord and NearLinks pass through to the wrapped store, a
// store.LinkReader, as the embedded and Elasticsearch stores are.
func (o *outage) LinkRecord(ctx context.Context, id string) (store.LinkRecord, error) {
	return o.Store.(store.LinkReader).LinkRecord(ctx, id)
}

func (o *outage) NearLinks(ctx context.Context, hash uint64, maxDistance int) ([]store.LinkRecord, error) {
	return o.Store.(store.LinkReader).NearLinks(ctx, hash, maxDistance)
}

// openBleve opens an embedded store in dir behind an outage switch.
func openBleve(t testing.TB, dir string) *outage {
	t.Helper()
	b, err := bleve.Open(context.Background(), dir)
	if err != nil {
		t.Fatalf("bleve.Open: %v", err)
	}
	return &outage{Store: b, refuse: map[string]bool{}}
}

// mustNew opens a spool in dir around next, closed when the test ends
// unless the test closed it.
func mustNew(t testing.TB, dir string, next store.Store) *Store {
	t.Helper()
	s, err := New(dir, next, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func mustPut(t testing.TB, s store.Store, articles ...*store.Article) []store.Change {
	t.Helper()
	changes, err := s.Put(context.Background(), articles...)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return changes
}

func mustFlush(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if n := s.Pending(); n != 0 {
		t.Fatalf("Pending = %d after Flush, want 0", n)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) store.Store {
		return mustNew(t, t.TempDir(), openBleve(t, t.TempDir()))
	})
}

func TestOutage(t *testing.T) {
	ctx := t.Context()
	next := openBleve(t, t.TempDir())
	s := mustNew(t, t.TempDir(), next)
	arts := storetest.Articles(30)

	mustPut(t, s, arts[:10]...)
	next.setDown(true)
	changes := mustPut(t, s, arts[10:20]...)
	for i, c := range changes {
		if c != store.Created {
			t.Errorf("spooled change %d = %v, want created", i, c)
		}
	}
	if n := s.Pending(); n != 10 {
		t.Errorf("Pending = %d during the outage, want 10", n)
	}
	if err := s.Flush(ctx); !store.IsTransient(err) {
		t.Errorf("Flush during the outage: %v, want a transient error", err)
	}
	if _, err := s.Get(ctx, arts[10].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of a spooled article: %v, want ErrNotFound (reads pass through)", err)
	}

	// A changed article while spooled: its versions must come out in order.
	changed := *arts[10]
	changed.Text = "更正后的正文。"
	changed.ContentHash = store.HashText(changed.Text)
	mustPut(t, s, &changed)

	next.setDown(false)
	// Still spooled: the new article must queue behind the old ones.
	mustPut(t, s, arts[20:]...)
	if n := s.Pending(); n == 0 {
		t.Log("the background drain emptied the spool already")
	}
	mustFlush(t, s)

	for _, a := range arts {
		if _, err := s.Get(ctx, a.ID); err != nil {
			t.Errorf("Get %s after the drain: %v", a.ID, err)
		}
	}
	got, err := s.Get(ctx, changed.ID)
	if err != nil || got.Version != 2 || got.Text != changed.Text {
		t.Fatalf("changed article: %+v, %v; want version 2 with the new text", got, err)
	}
	if vs, err := s.Versions(ctx, changed.ID); err != nil || len(vs) != 1 || vs[0].Text != arts[10].Text {
		t.Errorf("Versions of the changed article: %d, %v; want the first text", len(vs), err)
	}
	res, err := s.Search(ctx, store.Query{})
	if err != nil || res.Total != len(arts) {
		t.Errorf("match-all Total = %v (%v), want %d", res, err, len(arts))
	}
	if entries, _ := filepath.Glob(filepath.Join(s.dir, "seg-*")); len(entries) != 0 {
		t.Errorf("segments left after the drain: %v", entries)
	}
}

func TestBackgroundDrain(t *testing.T) {
	next := openBleve(t, t.TempDir())
	s := mustNew(t, t.TempDir(), next)
	next.setDown(true)
	arts := storetest.Articles(5)
	mustPut(t, s, arts...)
	next.setDown(false)
	// The drain retries on its own, after at most maxBackoff.
	deadline := time.Now().Add(10 * time.Second)
	for s.Pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := s.Pending(); n != 0 {
		t.Fatalf("Pending = %d, want the background drain to empty the spool", n)
	}
	if _, err := s.Get(t.Context(), arts[4].ID); err != nil {
		t.Errorf("Get after the background drain: %v", err)
	}
}

func TestKeptForNextRun(t *testing.T) {
	ctx := t.Context()
	dir, dbDir := t.TempDir(), t.TempDir()
	next := openBleve(t, dbDir)
	s := mustNew(t, dir, next)
	next.setDown(true)
	arts := storetest.Articles(250) // more than one drain batch
	mustPut(t, s, arts...)
	if err := s.Close(); err != nil {
		t.Fatalf("Close during the outage: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, activeFile)); err != nil {
		t.Fatalf("spool file after Close: %v", err)
	}

	next = openBleve(t, dbDir)
	s = mustNew(t, dir, next)
	if n := s.Pending(); n != 0 && n != len(arts) {
		t.Logf("Pending = %d while draining", n)
	}
	mustFlush(t, s)
	for _, a := range arts {
		got, err := s.Get(ctx, a.ID)
		if err != nil || got.Version != 1 {
			t.Fatalf("Get %s after the next run: %v, %v", a.ID, got, err)
		}
	}
}

func TestResumesPartialDrain(t *testing.T) {
	dir, dbDir := t.TempDir(), t.TempDir()
	next := openBleve(t, dbDir)
	s := mustNew(t, dir, next)
	next.setDown(true)
	arts := storetest.Articles(250) // drain batches of 100, 100, 50
	mustPut(t, s, arts...)
	next.mu.Lock()
	next.down, next.failAfter = false, 2 // two batches, then down again
	next.mu.Unlock()
	if err := s.Flush(t.Context()); !store.IsTransient(err) {
		t.Fatalf("Flush: %v, want a transient error after two batches", err)
	}
	if n := s.Pending(); n != 50 {
		t.Errorf("Pending = %d after two batches, want 50", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	next = openBleve(t, dbDir)
	next.setDown(true)
	s = mustNew(t, dir, next)
	if n := s.Pending(); n != 50 {
		t.Errorf("Pending after reopen = %d, want 50", n)
	}
	next.setDown(false)
	mustFlush(t, s)
	if next.puts != 1 {
		t.Errorf("drained the rest in %d Puts, want 1: the drained batches must not be put again", next.puts)
	}
	res, err := s.Search(t.Context(), store.Query{})
	if err != nil || res.Total != len(arts) {
		t.Errorf("match-all: %v, %v; want %d", res, err, len(arts))
	}
}

func TestUnfinishedLine(t *testing.T) {
	dir := t.TempDir()
	next := openBleve(t, t.TempDir())
	s := mustNew(t, dir, next)
	next.setDown(true)
	a := storetest.Articles(1)[0]
	mustPut(t, s, a)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, activeFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"article":{"id":"half`) // a crash mid-write
	f.Close()

	s = mustNew(t, dir, openBleve(t, t.TempDir()))
	if n := s.Pending(); n != 1 && n != 0 {
		t.Errorf("Pending = %d, want the one complete article", n)
	}
	b := storetest.Articles(2)[1]
	mustPut(t, s, b)
	mustFlush(t, s)
	for _, x := range []*store.Article{a, b} {
		if _, err := s.Get(t.Context(), x.ID); err != nil {
			t.Errorf("Get %s: %v", x.ID, err)
		}
	}
}

func TestRefused(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	next := openBleve(t, t.TempDir())
	s := mustNew(t, dir, next)
	arts := storetest.Articles(3)
	next.refuse[arts[1].ID] = true

	// Not spooled: a permanent error comes back at once.
	if _, err := s.Put(ctx, arts[1]); err == nil || store.IsTransient(err) || s.Pending() != 0 {
		t.Fatalf("Put of a refused article: %v, Pending %d; want the error, nothing spooled", err, s.Pending())
	}
	// Spooled in an outage, refused when drained: set aside, the rest goes in.
	next.setDown(true)
	mustPut(t, s, arts...)
	next.setDown(false)
	mustFlush(t, s)
	for i, a := range arts {
		_, err := s.Get(ctx, a.ID)
		if (i == 1) != errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get article %d: %v", i, err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, rejectedFile))
	if err != nil || len(data) == 0 {
		t.Errorf("rejected file: %d bytes, %v", len(data), err)
	}
}

func TestClosed(t *testing.T) {
	s := mustNew(t, t.TempDir(), openBleve(t, t.TempDir()))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(t.Context()); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Flush after Close: %v", err)
	}
	if err := s.Close(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}
