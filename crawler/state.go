package crawler

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsarc/crawler/frontier"
)

// State is the crawl state that outlives a process: per site, the frontier
// of queued URLs, and per URL what its last fetch found (validators for
// conditional GET, content hash, status, when to revisit). A run that is
// killed leaves its frontier behind; the next run of the site resumes it
// and skips the pages the killed run finished. State is safe for concurrent
// use; one process opens it at a time.
type State struct {
	db *bolt.DB
}

// PageState is what newsarc remembers of one URL: its kind, the
// validators and hash of its last fetch, and when it is due again. It is
// the frontier's type, kept alike by the crawl state (bbolt) and by a
// shared frontier (Redis).
type PageState = frontier.PageState

// PageKind is what a URL was found to be on its last fetch.
type PageKind = frontier.PageKind

// The kinds of page the crawl state records.
const (
	KindArticle      = frontier.KindArticle      // archived as an article
	KindPage         = frontier.KindPage         // a list or another page that is no article
	KindFeed         = frontier.KindFeed         // a feed or a sitemap
	KindContinuation = frontier.KindContinuation // a later page of an archived article
	KindAlternate    = frontier.KindAlternate    // another URL of an archived article
	KindError        = frontier.KindError        // the fetch or the extraction failed
	KindPanic        = frontier.KindPanic        // a step of the page panicked: it rests
)

// frontierURL is a URL in a site's frontier and its depth: the number of
// links followed from a seed to it, seeds being 1. A resumed run goes on
// from the depth the killed one had reached.
type frontierURL struct {
	URL   string
	Depth int
}

// runState is a site's current or last run.
type runState struct {
	ID       int64     `json:"id"`
	Started  time.Time `json:"started"`
	Finished bool      `json:"finished"`
}

var (
	bucketRuns = []byte("runs")
)

func pagesBucket(site string) []byte    { return []byte("pages/" + site) }
func frontierBucket(site string) []byte { return []byte("frontier/" + site) }
func spillBucket(site string) []byte    { return []byte("spill/" + site) }

// ErrStateLocked is returned when another process holds the crawl state.
var ErrStateLocked = errors.New("crawler: crawl state is in use by another newsarc process")

// OpenState opens (creating) the crawl state database at path.
func OpenState(path string) (*State, error) {
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("%w: %s", ErrStateLocked, path)
		}
		return nil, fmt.Errorf("crawler: open state %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketRuns)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("crawler: init state: %w", err)
	}
	return &State{db: db}, nil
}

// view and update run a bbolt transaction; a panic in bbolt (a damaged
// file) is returned as an error wrapping ErrPanic, so that it neither
// escapes a page nor leaves a lock held.
func (s *State) view(fn func(*bolt.Tx) error) error {
	return guard("crawl state", func() error { return s.db.View(fn) })
}

func (s *State) update(fn func(*bolt.Tx) error) error {
	return guard("crawl state", func() error { return s.db.Update(fn) })
}

// Close closes the database.
func (s *State) Close() error { return s.db.Close() }

// beginRun starts a run of site, or resumes the unfinished one. It returns
// the run and, when resuming, the URLs left in its frontier.
func (s *State) beginRun(site string, now time.Time) (run runState, resumed bool, frontier []frontierURL, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		// The queue's spilled URLs are in the frontier too: a resumed run
		// queues them again from there.
		if err := tx.DeleteBucket(spillBucket(site)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		runs := tx.Bucket(bucketRuns)
		if b := runs.Get([]byte(site)); b != nil {
			if err := json.Unmarshal(b, &run); err != nil {
				return err
			}
		}
		if run.ID != 0 && !run.Finished {
			resumed = true
			if f := tx.Bucket(frontierBucket(site)); f != nil {
				if err := f.ForEach(func(k, v []byte) error {
					frontier = append(frontier, frontierURL{URL: string(k), Depth: decodeDepth(v)})
					return nil
				}); err != nil {
					return err
				}
			}
			return nil
		}
		run = runState{ID: run.ID + 1, Started: now}
		if err := tx.DeleteBucket(frontierBucket(site)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(pagesBucket(site)); err != nil {
			return err
		}
		b, err := json.Marshal(run)
		if err != nil {
			return err
		}
		return runs.Put([]byte(site), b)
	})
	if err != nil {
		err = fmt.Errorf("crawler: begin run of %s: %w", site, err)
	}
	return run, resumed, frontier, err
}

// finishRun marks the run complete and drops its frontier.
func (s *State) finishRun(site string, run runState) error {
	run.Finished = true
	err := s.update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{frontierBucket(site), spillBucket(site)} {
			if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
				return err
			}
		}
		b, err := json.Marshal(run)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketRuns).Put([]byte(site), b)
	})
	if err != nil {
		return fmt.Errorf("crawler: finish run of %s: %w", site, err)
	}
	return nil
}

// queue adds URLs, with their depth, to the site's frontier in one
// transaction.
func (s *State) queue(site string, urls ...frontierURL) error {
	return s.update(func(tx *bolt.Tx) error {
		f, err := tx.CreateBucketIfNotExists(frontierBucket(site))
		if err != nil {
			return err
		}
		for _, u := range urls {
			if err := f.Put([]byte(u.URL), binary.AppendUvarint(nil, uint64(max(u.Depth, 1)))); err != nil {
				return err
			}
		}
		return nil
	})
}

// decodeDepth reads a frontier value: a depth as a uvarint. Frontiers
// written before depths were kept hold the byte 1, which reads as depth 1;
// anything unreadable is depth 1 too.
func decodeDepth(v []byte) int {
	d, n := binary.Uvarint(v)
	if n <= 0 || d < 1 || d > 1<<20 {
		return 1
	}
	return int(d)
}

// Page returns what is known of url on site, and false when nothing is.
func (s *State) Page(site, url string) (PageState, bool) {
	var p PageState
	var ok bool
	_ = s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(pagesBucket(site))
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(url)); v != nil {
			ok = json.Unmarshal(v, &p) == nil
		}
		return nil
	})
	return p, ok
}

// done records a fetched (or finally failed) URL and takes it off the
// frontier, in one transaction.
func (s *State) done(site, url string, p PageState) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		pb, err := tx.CreateBucketIfNotExists(pagesBucket(site))
		if err != nil {
			return err
		}
		if err := pb.Put([]byte(url), b); err != nil {
			return err
		}
		if f := tx.Bucket(frontierBucket(site)); f != nil {
			return f.Delete([]byte(url))
		}
		return nil
	})
}

// record records the fetch state of many URLs and takes them off the
// frontier, in one transaction: a group commit's pages.
func (s *State) record(site string, recs []pageRecord) error {
	vals := make([][]byte, len(recs))
	for i, rec := range recs {
		b, err := json.Marshal(rec.ps)
		if err != nil {
			return err
		}
		vals[i] = b
	}
	return s.update(func(tx *bolt.Tx) error {
		pb, err := tx.CreateBucketIfNotExists(pagesBucket(site))
		if err != nil {
			return err
		}
		f := tx.Bucket(frontierBucket(site))
		for i, rec := range recs {
			if err := pb.Put([]byte(rec.url), vals[i]); err != nil {
				return err
			}
			if f != nil {
				if err := f.Delete([]byte(rec.url)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Frontiers returns the length of each site's frontier: the URLs queued
// and not yet done, by the run going on or by one that was killed. Sites
// with an empty frontier are left out.
func (s *State) Frontiers() (map[string]int, error) {
	out := map[string]int{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			site, ok := strings.CutPrefix(string(name), "frontier/")
			if !ok {
				return nil
			}
			if n := b.Stats().KeyN; n > 0 {
				out[site] = n
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("crawler: frontiers: %w", err)
	}
	return out, nil
}

// unqueue takes a URL off the frontier without recording a fetch (a URL
// refused by robots.txt or a limit).
func (s *State) unqueue(site, url string) error {
	return s.update(func(tx *bolt.Tx) error {
		if f := tx.Bucket(frontierBucket(site)); f != nil {
			return f.Delete([]byte(url))
		}
		return nil
	})
}

// due returns the archived articles of site whose revisit time has come,
// and the archived articles that panicked once their rest is over.
func (s *State) due(site string, now time.Time) []string {
	var out []string
	_ = s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(pagesBucket(site))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var p PageState
			if json.Unmarshal(v, &p) == nil && (p.Kind == KindArticle || p.Kind == KindPanic && p.ArticleID != "") &&
				!p.Removed && !now.Before(p.NextDue) {
				out = append(out, string(k))
			}
			return nil
		})
	})
	return out
}

// stateSpill keeps the URLs a run's queue holds beyond its memory budget
// in the crawl state, per host in the order they were queued, until the
// queue takes them back (see workQueue).
type stateSpill struct {
	s    *State
	site string
}

func spillKey(host string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(host), 0), seq)
}

// spill writes URLs of host, numbered from seq, in one transaction.
func (p stateSpill) spill(host string, seq uint64, items []queued) error {
	err := p.s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(spillBucket(p.site))
		if err != nil {
			return err
		}
		for i, it := range items {
			v := binary.AppendUvarint(nil, uint64(max(it.depth, 1)))
			if err := b.Put(spillKey(host, seq+uint64(i)), append(v, it.url...)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("crawler: spill queue of %s: %w", p.site, err)
	}
	return nil
}

// unspill takes back up to n of host's spilled URLs, oldest first.
func (p stateSpill) unspill(host string, n int) ([]queued, error) {
	var out []queued
	err := p.s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(spillBucket(p.site))
		if b == nil {
			return nil
		}
		prefix := append([]byte(host), 0)
		c := b.Cursor()
		var keys [][]byte
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < n; k, v = c.Next() {
			d, m := binary.Uvarint(v)
			if m <= 0 {
				d, m = 1, 0
			}
			out = append(out, queued{url: string(v[m:]), depth: int32(min(d, 1<<20))})
			keys = append(keys, bytes.Clone(k))
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("crawler: unspill queue of %s: %w", p.site, err)
	}
	return out, nil
}
