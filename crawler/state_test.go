package crawler_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsarc/crawler"
	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/boltfrontier"
	"newsarc/crawler/frontier/frontiertest"
)

// TestMigrateState: the single state.db file of the crawl before the
// frontier per site moves into the state directory. An archived article
// still rests (not fetched again before its revisit time), its
// validators are kept, and the URL a killed run left queued is fetched
// by the run that resumes it. The old file is kept, renamed.
func TestMigrateState(t *testing.T) {
	f, paths := newsSite(t, 4)
	dir := t.TempDir()
	old := filepath.Join(dir, "state.db")
	db, err := bolt.Open(old, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	resting := crawler.PageState{Kind: crawler.KindArticle, Status: 200, ETag: `"v1"`, ArticleID: "a0",
		FetchedAt: now.Add(-time.Hour), NextDue: now.Add(48 * time.Hour), Run: 3}
	err = db.Update(func(tx *bolt.Tx) error {
		runs, err := tx.CreateBucket([]byte("runs"))
		if err != nil {
			return err
		}
		run, _ := json.Marshal(map[string]any{"id": 3, "started": now.Add(-time.Hour), "finished": false})
		if err := runs.Put([]byte("test"), run); err != nil {
			return err
		}
		pages, err := tx.CreateBucket([]byte("pages/test"))
		if err != nil {
			return err
		}
		b, _ := json.Marshal(resting)
		if err := pages.Put([]byte(f.URL+paths[0]), b); err != nil {
			return err
		}
		queue, err := tx.CreateBucket([]byte("frontier/test"))
		if err != nil {
			return err
		}
		return queue.Put([]byte(f.URL+paths[1]), binary.AppendUvarint(nil, 2))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	sdir := filepath.Join(dir, "state")
	n, err := crawler.MigrateState(old, sdir)
	if err != nil || n != 1 {
		t.Fatalf("migrate: %d sites, %v; want 1", n, err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("state.db still in place after the migration: %v", err)
	}
	if _, err := os.Stat(old + ".migrated"); err != nil {
		t.Errorf("the old file was not kept: %v", err)
	}
	if n, err := crawler.MigrateState(old, sdir); err != nil || n != 0 {
		t.Errorf("second migration: %d sites, %v; want nothing done", n, err)
	}
	state, err := crawler.OpenState(sdir)
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()
	if ps, ok := state.Page("test", f.URL+paths[0]); !ok || ps.ETag != `"v1"` || !ps.NextDue.Equal(resting.NextDue) {
		t.Fatalf("migrated page %+v, %v; want %+v", ps, ok, resting)
	}
	if q, _ := state.Frontiers(); q["test"] != 1 {
		t.Fatalf("queued after the migration: %v, want the killed run's URL", q)
	}
	cfg := testConfig()
	cfg.State = state
	// The front page links to every story; the killed run's queue held
	// the second one.
	stats := crawl(t, cfg, openStore(t), f.URL+"/")
	if !stats.Resumed {
		t.Errorf("the run after the migration did not resume the killed run")
	}
	if n := f.count(paths[0]); n != 0 {
		t.Errorf("the resting article was fetched %d times", n)
	}
	for _, p := range paths[1:] {
		if n := f.count(p); n != 1 {
			t.Errorf("%s fetched %d times, want once", p, n)
		}
	}
	if q, _ := state.Frontiers(); len(q) != 0 {
		t.Errorf("queued after the run: %v", q)
	}
}

// TestFrontiersReadOnly: the frontier lengths a metrics scrape reads come
// from files read-only, with not a byte written; a file another process
// holds (its crawl) is left out, not waited for nor reported as an error.
func TestFrontiersReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "news.db")
	f, err := boltfrontier.Open(path, frontier.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	frontiertest.QueueMillion(t, f, "news", 3, 1)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	state, err := crawler.OpenState(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()
	if q, err := state.Frontiers(); err != nil || q["news"] != 3 {
		t.Fatalf("frontiers %v, %v; want news: 3", q, err)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
		t.Errorf("reading the frontier lengths changed the file (%v)", err)
	}

	// Another process's crawl holds the file.
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if q, err := state.Frontiers(); err != nil || len(q) != 0 {
		t.Errorf("frontiers while another process holds the file: %v, %v; want none and no error", q, err)
	}
}
