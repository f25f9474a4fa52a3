package crawler

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/boltfrontier"
)

// State is the crawl state that outlives a process: a directory holding
// one embedded frontier (crawler/frontier/boltfrontier) per site, with the
// site's runs, its queue and seen set while a run goes on, and what the
// last fetch of each URL found (validators for conditional GET, content
// hash, status, when to revisit). A run that is killed leaves its queue
// behind; the next run of the site resumes it and skips the pages the
// killed run finished. A crawl of one process runs on these frontiers as a
// crawl shared by many workers runs on Redis: through the same
// frontier.Frontier interface. State is safe for concurrent use; one
// process opens it at a time.
type State struct {
	dir string

	mu     sync.Mutex
	closed bool
	open   map[string]*siteFrontier // site → its frontier, while a run uses it
}

type siteFrontier struct {
	f     *boltfrontier.Frontier
	users int
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

// frontierURL is a URL to queue and its depth: the number of links
// followed from a seed to it, seeds being 1. A resumed run goes on from
// the depth the killed one had reached.
type frontierURL struct {
	URL   string
	Depth int
}

// ErrStateLocked is returned when another process holds the crawl state.
var ErrStateLocked = errors.New("crawler: crawl state is in use by another newsarc process")

// OpenState opens (creating) the crawl state directory dir. A site's
// file is opened by the run of the site, and is locked while it is: two
// processes never crawl one site on one state.
func OpenState(dir string) (*State, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("crawler: open state %s: %w", dir, err)
	}
	return &State{dir: dir, open: map[string]*siteFrontier{}}, nil
}

// Dir returns the state's directory.
func (s *State) Dir() string { return s.dir }

// Close closes the state and the frontiers left open.
func (s *State) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var first error
	for site, sf := range s.open {
		if err := sf.f.Close(); err != nil && first == nil {
			first = err
		}
		delete(s.open, site)
	}
	return first
}

// siteFile returns the file of site's frontier: the site's name, with
// every byte but letters, digits, '.', '-' and '_' written %XX.
func (s *State) siteFile(site string) string {
	return filepath.Join(s.dir, escapeSite(site)+".db")
}

func escapeSite(site string) string {
	var b strings.Builder
	for i := 0; i < len(site); i++ {
		c := site[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.' && i > 0, c == '-', c == '_':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func unescapeSite(name string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] != '%' {
			b.WriteByte(name[i])
			continue
		}
		if i+2 >= len(name) {
			return "", false
		}
		var c byte
		if _, err := fmt.Sscanf(name[i+1:i+3], "%02X", &c); err != nil {
			return "", false
		}
		b.WriteByte(c)
		i += 2
	}
	return b.String(), true
}

// acquire opens site's frontier with opts for a run, or returns it open;
// release closes it once its last user is done.
func (s *State) acquire(site string, opts frontier.Options) (*boltfrontier.Frontier, func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, frontier.ErrClosed
	}
	sf := s.open[site]
	if sf == nil {
		f, err := boltfrontier.Open(s.siteFile(site), opts, nil)
		if errors.Is(err, frontier.ErrLocked) {
			return nil, nil, fmt.Errorf("%w: %s", ErrStateLocked, s.siteFile(site))
		}
		if err != nil {
			return nil, nil, fmt.Errorf("crawler: crawl state of %s: %w", site, err)
		}
		sf = &siteFrontier{f: f}
		s.open[site] = sf
	}
	sf.users++
	var once sync.Once
	return sf.f, func() { once.Do(func() { s.release(site, sf) }) }, nil
}

// release ends one use of site's open frontier sf, closing it after the
// last.
func (s *State) release(site string, sf *siteFrontier) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sf.users--
	if sf.users == 0 && s.open[site] == sf {
		delete(s.open, site)
		sf.f.Close()
	}
}

// read runs fn on site's frontier for reading: the one a run of this
// process holds open, else the site's file opened read-only, nothing
// written. ok is false when the site has no crawl state, or when another
// process holds its file (its crawl): that is not waited for past wait.
func (s *State) read(site string, wait time.Duration, fn func(*boltfrontier.Frontier) error) (ok bool, err error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false, frontier.ErrClosed
	}
	sf := s.open[site]
	if sf != nil {
		sf.users++ // as acquire does, so that it stays open while read
	}
	s.mu.Unlock()
	if sf != nil {
		defer s.release(site, sf)
		return true, fn(sf.f)
	}
	f, err := boltfrontier.OpenReadOnly(s.siteFile(site), wait)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, frontier.ErrLocked):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("crawler: crawl state of %s: %w", site, err)
	}
	defer f.Close()
	return true, fn(f)
}

// Page returns what is known of url on site, and false when nothing is.
func (s *State) Page(site, url string) (PageState, bool) {
	var p PageState
	var found bool
	_, _ = s.read(site, 2*time.Second, func(f *boltfrontier.Frontier) error {
		var err error
		p, found, err = f.Page(context.Background(), site, url)
		return err
	})
	return p, found
}

// Frontiers returns the length of each site's frontier: the URLs queued
// and not yet done, by the run going on or by one that was killed. Sites
// with an empty frontier are left out, and so are those whose file another
// process holds (a crawl of its own): their length cannot be read without
// waiting for it. Nothing is written. An error on one site's file does not
// hide the others.
func (s *State) Frontiers() (map[string]int, error) {
	names, err := StateFiles(s.dir)
	if err != nil {
		return nil, fmt.Errorf("crawler: frontiers: %w", err)
	}
	out := map[string]int{}
	var errs []error
	for _, name := range names {
		site, ok := unescapeSite(strings.TrimSuffix(filepath.Base(name), ".db"))
		if !ok {
			continue
		}
		var st frontier.Stats
		if _, err := s.read(site, 100*time.Millisecond, func(f *boltfrontier.Frontier) (err error) {
			st, err = f.Stats(context.Background(), site)
			return err
		}); err != nil {
			errs = append(errs, err)
		} else if st.Pending > 0 {
			out[site] = int(st.Pending)
		}
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("crawler: frontiers: %w", errors.Join(errs...))
	}
	return out, nil
}

// StateFiles returns the site frontiers' files of the crawl state
// directory dir, for a check of their pages before it is opened.
func StateFiles(dir string) ([]string, error) {
	return filepath.Glob(filepath.Join(dir, "*.db"))
}

// MigrateState moves the crawl state of the single file newsarc kept
// before (state.db: runs, pages and the queue of an unfinished run of
// every site) into the state directory dir, a frontier per site, and
// renames the file to path + ".migrated". Each site's runs and page
// states carry over unchanged (the frontier keeps the same records); the
// URLs a killed run left queued are queued in its resumed run. It does
// nothing when path does not exist.
func MigrateState(path, dir string) (sites int, err error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	old, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return 0, fmt.Errorf("%w: %s", ErrStateLocked, path)
		}
		return 0, fmt.Errorf("crawler: migrate %s: %w", path, err)
	}
	defer old.Close()
	s, err := OpenState(dir)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	type siteRun struct {
		run   []byte
		queue []frontierURL
	}
	runs := map[string]*siteRun{}
	err = guard("crawl state", func() error {
		return old.View(func(tx *bolt.Tx) error {
			rb := tx.Bucket([]byte("runs"))
			if rb == nil {
				return nil
			}
			if err := rb.ForEach(func(k, v []byte) error {
				runs[string(k)] = &siteRun{run: append([]byte(nil), v...)}
				return nil
			}); err != nil {
				return err
			}
			for site, sr := range runs {
				var run struct {
					ID       int64 `json:"id"`
					Finished bool  `json:"finished"`
				}
				if json.Unmarshal(sr.run, &run) != nil || run.Finished {
					continue
				}
				if q := tx.Bucket([]byte("frontier/" + site)); q != nil {
					if err := q.ForEach(func(k, v []byte) error {
						sr.queue = append(sr.queue, frontierURL{URL: string(k), Depth: decodeDepth(v)})
						return nil
					}); err != nil {
						return err
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("crawler: migrate %s: %w", path, err)
	}
	ctx := context.Background()
	for site, sr := range runs {
		err = guard("crawl state", func() error {
			return old.View(func(otx *bolt.Tx) error {
				return boltfrontier.Import(s.siteFile(site), site, sr.run, func(put func(url, state []byte) error) error {
					if ob := otx.Bucket([]byte("pages/" + site)); ob != nil {
						return ob.ForEach(put)
					}
					return nil
				})
			})
		})
		if err != nil {
			return sites, fmt.Errorf("crawler: migrate %s: %w", site, err)
		}
		if len(sr.queue) > 0 {
			if err := requeue(ctx, s, site, sr.queue); err != nil {
				return sites, fmt.Errorf("crawler: migrate %s: %w", site, err)
			}
		}
		sites++
	}
	old.Close()
	if err := os.Rename(path, path+".migrated"); err != nil {
		return sites, fmt.Errorf("crawler: migrate %s: %w", path, err)
	}
	return sites, nil
}

// requeue queues the URLs a killed run of site left in the old crawl
// state, in the run that resumes it.
func requeue(ctx context.Context, s *State, site string, queue []frontierURL) error {
	f, release, err := s.acquire(site, frontier.Options{})
	if err != nil {
		return err
	}
	defer release()
	if _, err := f.BeginRun(ctx, site); err != nil {
		return err
	}
	entries := make([]frontier.Entry, len(queue))
	for i, q := range queue {
		entries[i] = frontier.Entry{URL: q.URL, Site: site, Depth: q.Depth, Kind: "page"}
	}
	_, err = f.Enqueue(ctx, entries...)
	return err
}

// decodeDepth reads a queue value of the old crawl state: a depth as a
// uvarint. Queues written before depths were kept hold the byte 1, which
// reads as depth 1; anything unreadable is depth 1 too.
func decodeDepth(v []byte) int {
	d, n := binary.Uvarint(v)
	if n <= 0 || d < 1 || d > 1<<20 {
		return 1
	}
	return int(d)
}
