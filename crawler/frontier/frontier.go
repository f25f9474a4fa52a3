// Package frontier is the crawl frontier: the URLs queued for fetching,
// the set of URLs seen in a run, the leases workers hold on hosts, the
// per-URL fetch state (validators, content hash, next revisit) and the
// runs of each site, behind one interface with two implementations:
// boltfrontier (an embedded bbolt file, for one process) and redisfrontier
// (a Redis server shared by many workers and processes).
//
// Work is handed out by host. A worker leases one host, with a batch of its
// due URLs, for a bounded time; no other worker gets that host until the
// lease ends, so one host's politeness holds across all workers. A lease
// ends when each of its URLs is Done, Retried or Dropped, when it is
// Released, or when its deadline passes without a Renew: its URLs then go
// back to the queue for another worker. The host may be leased again only
// its delay (the crawl delay, or robots.txt's Crawl-delay, see SetDelay)
// after the lease ended, and never sooner than its delay after the last
// lease began. Ready hosts are handed out in the order they became ready,
// so every host, and so every site of a crawl, progresses together.
//
// A URL is marked done only after its article is written to the archive:
// the caller calls Done after the write, with the URL's fetch state.
//
// The queue lives in the store, not in memory: a frontier of a million
// URLs costs the crawling process a few megabytes.
package frontier

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Frontier is the crawl frontier of one crawl (a set of sites crawled
// together). All methods are safe for concurrent use.
type Frontier interface {
	// BeginRun starts a run of site, or returns the unfinished one (a run
	// begun by another worker, or one left by a killed process): then
	// Run.Resumed is true and the run's queue, seen set and page states
	// are what it left.
	BeginRun(ctx context.Context, site string) (Run, error)
	// FinishRun marks run finished and drops what is left of the site's
	// queue and seen set. A run that is not site's current one is left
	// alone.
	FinishRun(ctx context.Context, site string, run int64) error
	// Seed enqueues entries as the seeds of run, once per run across all
	// workers: the first call for (site, run) enqueues them, atomically
	// with taking the run's seed lock, and returns true; later calls
	// enqueue nothing and return false.
	Seed(ctx context.Context, site string, run int64, entries []Entry) (bool, error)
	// Enqueue queues the entries that were not seen in their site's run,
	// and marks them seen. It reports for each entry whether it was new.
	Enqueue(ctx context.Context, entries ...Entry) ([]bool, error)
	// Lease hands worker one host whose politeness slot is free, with up
	// to max of its due URLs, until the lease's Deadline. With no host
	// ready it returns a Lease without entries whose Next says when one
	// will be (zero: nothing queued) and whose Busy counts the hosts
	// leased by workers; see Wait. It hands worker none of the hosts in
	// avoid: hosts it let go so that another worker has a turn (see
	// Extension.Asked); a ready host avoided counts in Busy. A worker
	// that finds no host to lease is recorded as having asked.
	Lease(ctx context.Context, worker string, max int, avoid ...string) (*Lease, error)
	// Extend hands l's worker up to max more of its host's due URLs under
	// l, and renews l: a worker that went through its URLs goes on with
	// the host while their articles are committed, rather than leave it
	// idle until its last URL is Done. The host's politeness slot moves
	// as for a new lease. It returns ErrLeaseLost when l ended. Extend
	// does not modify l, which other goroutines may be reading: the
	// caller adds the entries to a copy of l, which Done, Retry and Drop
	// then take for them.
	Extend(ctx context.Context, l *Lease, max int) (Extension, error)
	// Renew moves l's deadline to the lease TTL from now. It returns
	// ErrLeaseLost when l ended (its deadline passed and its URLs went to
	// another worker, or each of them was finished).
	Renew(ctx context.Context, l *Lease) error
	// Done finishes leased URLs, after their articles were written, and
	// records their fetch state. It reports for each outcome whether its
	// URL was still held by its lease and is now done; an outcome's
	// records are written either way.
	Done(ctx context.Context, outs ...Outcome) ([]bool, error)
	// Retry puts a leased URL back in the queue, due at at, with its
	// Attempt one more; a due retry is handed out before its host's other
	// URLs. ErrLeaseLost: l no longer holds url.
	Retry(ctx context.Context, l *Lease, url string, at time.Time) error
	// Drop takes a leased URL off the frontier without a fetch (refused by
	// robots.txt, over a limit), counting it under reason. ErrLeaseLost:
	// l no longer holds url.
	Drop(ctx context.Context, l *Lease, url, reason string) error
	// Release ends l, putting its unfinished URLs back at the head of the
	// queue. Releasing a lease that ended is no error.
	Release(ctx context.Context, l *Lease) error
	// SetDelay sets host's delay between requests (robots.txt's
	// Crawl-delay); hosts without one have Options.Delay.
	SetDelay(ctx context.Context, host string, d time.Duration) error
	// Page returns the fetch state of url on site, and false when there is
	// none.
	Page(ctx context.Context, site, url string) (PageState, bool, error)
	// PutPages records fetch states without finishing a lease (another
	// URL of an archived article, the hops of a redirect chain).
	PutPages(ctx context.Context, site string, recs ...Record) error
	// Due returns the URLs of site whose revisit time has come (see
	// PageState.Revisit).
	Due(ctx context.Context, site string, now time.Time) ([]string, error)
	// Claim takes a place for url in the named budget of site's run
	// (its pages, the pages of one URL shape), shared by every worker: it
	// reports true when url holds one of the budget's limit places, taken
	// now or by an earlier call, and false when they are all taken by
	// other URLs. A run's budgets begin empty and end with it.
	Claim(ctx context.Context, site string, run int64, budget, url string, limit int) (bool, error)
	// Stats returns site's counts.
	Stats(ctx context.Context, site string) (Stats, error)
	// Close releases the frontier's resources (not its leases: they
	// expire).
	Close() error
}

// Errors.
var (
	// ErrLeaseLost is returned for a lease that ended: it expired and
	// its host went to another worker, or it was released or finished.
	ErrLeaseLost = errors.New("frontier: lease lost")
	// ErrClosed is returned by a closed frontier.
	ErrClosed = errors.New("frontier: closed")
	// ErrLocked is returned when another process holds an embedded
	// frontier's file.
	ErrLocked = errors.New("frontier: in use by another process")
	// ErrCorrupt is returned by an embedded frontier whose file is
	// damaged (a read of it panicked): the crawl stops rather than poll
	// it again; `newsarc check` tells more.
	ErrCorrupt = errors.New("frontier: file damaged")
)

// Priorities of an Entry: among a host's due URLs, high ones are handed
// out first; FIFO within a priority.
const (
	PriorityNormal = 0
	PriorityHigh   = 1 // seeds, feeds, revisits
)

// Entry is a queued URL.
type Entry struct {
	URL      string `json:"url"`
	Site     string `json:"site"`           // the site whose run queued it
	Host     string `json:"host,omitempty"` // the politeness key; the URL's host (with port) when empty
	Depth    int    `json:"depth"`          // links followed from a seed to it; seeds are 1
	Priority int    `json:"priority"`       // PriorityNormal or PriorityHigh
	Kind     string `json:"kind,omitempty"` // what the crawler expects there ("seed", "feed", "page", "revisit")
	From     string `json:"from,omitempty"` // the page it was found on
	Attempt  int    `json:"attempt"`        // fetches tried before; see Frontier.Retry
}

// Normalize fills the host from the URL and checks the entry.
func (e *Entry) Normalize() error {
	if e.URL == "" || e.Site == "" {
		return fmt.Errorf("frontier: entry %q of site %q: url and site are required", e.URL, e.Site)
	}
	if e.Host == "" {
		u, err := url.Parse(e.URL)
		if err != nil {
			return fmt.Errorf("frontier: entry %q: %w", e.URL, err)
		}
		if u.Host == "" {
			return fmt.Errorf("frontier: entry %q: no host", e.URL)
		}
		e.Host = strings.ToLower(u.Host)
	}
	if strings.ContainsAny(e.URL+e.Site+e.Host+e.Kind+e.From, sep) {
		return fmt.Errorf("frontier: entry %q: control character", e.URL)
	}
	e.Depth = max(e.Depth, 1)
	if e.Priority > PriorityHigh {
		e.Priority = PriorityHigh
	}
	e.Priority = max(e.Priority, PriorityNormal)
	return nil
}

// sep separates the fields of a packed entry.
const sep = "\x1f"

// Pack encodes e compactly: url, site, host, depth, priority, attempt,
// kind, from, separated by 0x1f. Both implementations store entries so.
func (e Entry) Pack() string {
	var b strings.Builder
	b.Grow(len(e.URL) + len(e.Site) + len(e.Host) + len(e.Kind) + len(e.From) + 16)
	for i, f := range []string{e.URL, e.Site, e.Host, strconv.Itoa(e.Depth), strconv.Itoa(e.Priority),
		strconv.Itoa(e.Attempt), e.Kind, e.From} {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(f)
	}
	return b.String()
}

// Unpack decodes a packed entry.
func Unpack(s string) (Entry, error) {
	f := strings.Split(s, sep)
	if len(f) != 8 {
		return Entry{}, fmt.Errorf("frontier: packed entry of %d fields", len(f))
	}
	var e Entry
	var err error
	e.URL, e.Site, e.Host, e.Kind, e.From = f[0], f[1], f[2], f[6], f[7]
	if e.Depth, err = strconv.Atoi(f[3]); err == nil {
		if e.Priority, err = strconv.Atoi(f[4]); err == nil {
			e.Attempt, err = strconv.Atoi(f[5])
		}
	}
	if err != nil {
		return Entry{}, fmt.Errorf("frontier: packed entry: %w", err)
	}
	return e, nil
}

// CheckBudget checks a budget name for Claim: not empty, no control
// character.
func CheckBudget(name string) error {
	if name == "" || strings.ContainsAny(name, sep+"\x00") {
		return fmt.Errorf("frontier: budget name %q: empty or control character", name)
	}
	return nil
}

// SeenKey is the key of url in a site's seen set: 16 bytes of its SHA-256.
func SeenKey(url string) string {
	h := sha256.Sum256([]byte(url))
	return string(h[:16])
}

// Run is a site's current run.
type Run struct {
	ID      int64     `json:"id"`
	Started time.Time `json:"started"`
	// Finished is always false for a run BeginRun returns; it is kept
	// in the stored record.
	Finished bool `json:"finished"`
	// Resumed: the run was begun before this call (by another worker, or
	// by a process that was killed).
	Resumed bool `json:"-"`
}

// Lease is a host handed to one worker.
type Lease struct {
	ID       string        // unique among the frontier's leases
	Host     string        // the host leased
	Worker   string        // who holds it
	Entries  []Entry       // the URLs to fetch, in order
	Delay    time.Duration // the host's delay between requests: the worker spaces Entries by it
	At       time.Time     // when the lease began (the frontier's clock)
	Deadline time.Time     // when it expires unless renewed

	// Of an empty lease (no host ready): when the next host will be
	// ready (zero: nothing is queued), and how many hosts workers hold.
	Next time.Time
	Busy int
}

// SiteOf returns the site of url's entry in l ("" when l has none).
func (l *Lease) SiteOf(url string) string {
	if l == nil {
		return ""
	}
	for _, e := range l.Entries {
		if e.URL == url {
			return e.Site
		}
	}
	return ""
}

// Empty reports whether l holds no host.
func (l *Lease) Empty() bool { return l == nil || len(l.Entries) == 0 }

// Extension is what Extend added to a lease.
type Extension struct {
	Entries  []Entry   // the URLs added, in order; none when none is due
	Deadline time.Time // the lease's new deadline
	// Waiting is when the host that has waited longest for a worker
	// became ready (URLs due, politeness slot free, leased by no one);
	// zero when none waits. A worker that keeps extending while a host
	// waits long may be keeping it from its turn.
	Waiting time.Time
	// Asked is the last time a worker other than l's asked for a host
	// and found none it could lease; zero when none did. A worker that
	// keeps a host long while another is idle may let it go, so that the
	// work of a crawl of few hosts is shared.
	Asked time.Time
}

// Outcome finishes one leased URL in Done.
type Outcome struct {
	Lease *Lease // the lease that handed out URL; nil: only Records are written
	URL   string
	// Site is the site of URL's entry (found in Lease when empty; give
	// it when two sites queued one URL of a host). Records are the fetch
	// states to write under Site: the URL's own and those of the other
	// URLs the page answered for (redirect hops, alternates).
	Site    string
	Records []Record
}

// Record is the fetch state of one URL.
type Record struct {
	URL   string
	State PageState
}

// PageKind is what a URL was found to be on its last fetch.
type PageKind string

// The kinds of page the crawl state records.
const (
	KindArticle      PageKind = "article"      // archived as an article
	KindPage         PageKind = "page"         // a list or another page that is no article
	KindFeed         PageKind = "feed"         // a feed or a sitemap
	KindContinuation PageKind = "continuation" // a later page of an archived article
	KindAlternate    PageKind = "alternate"    // another URL of an archived article
	KindError        PageKind = "error"        // the fetch or the extraction failed
	KindPanic        PageKind = "panic"        // a step of the page panicked: it rests
)

// PageState is what the crawl remembers of one URL: the same record, in
// the same JSON, as the crawler's crawl state keeps.
type PageState struct {
	Kind         PageKind  `json:"kind"`
	Status       int       `json:"status"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	ContentHash  string    `json:"content_hash,omitempty"`
	ArticleID    string    `json:"article_id,omitempty"`
	FetchedAt    time.Time `json:"fetched_at"`
	NextDue      time.Time `json:"next_due,omitzero"` // articles: not fetched again before
	Interval     int       `json:"interval"`          // index into the revisit intervals
	Run          int64     `json:"run"`               // the run that fetched it last
	Removed      bool      `json:"removed,omitempty"` // answered 404/410 after being archived
	Panics       int       `json:"panics,omitempty"`  // fetches in a row in which a step of the page panicked
}

// Revisit reports whether the page is revisited, and when: archived
// articles that are not removed, and archived articles that panicked once
// their rest is over (the crawler's rule).
func (p PageState) Revisit() (time.Time, bool) {
	if (p.Kind == KindArticle || p.Kind == KindPanic && p.ArticleID != "") && !p.Removed {
		return p.NextDue, true
	}
	return time.Time{}, false
}

// Stats are a site's counts in the frontier.
type Stats struct {
	Pending int64            `json:"pending"` // queued or leased, not finished
	Leased  int64            `json:"leased"`  // of Pending, held by leases (all sites of the host)
	Done    int64            `json:"done"`
	Retried int64            `json:"retried"`
	Dropped map[string]int64 `json:"dropped,omitempty"` // by reason
	Hosts   int              `json:"hosts"`             // hosts the site has queued URLs on
}

// Wait leases a host for worker, waiting while none is ready: it returns a
// lease with entries, or nil when the frontier is drained (nothing queued
// and no host leased), or ctx's error. It polls at most every poll, and
// keeps polling through errors of the store (a Redis server restarting),
// which it reports to onErr when that is set.
func Wait(ctx context.Context, f Frontier, worker string, n int, poll time.Duration, onErr func(error)) (*Lease, error) {
	return WaitWith(ctx, f, worker, n, poll, WaitHooks{OnErr: onErr})
}

// WaitHooks are what WaitWith tells its caller, and asks it.
type WaitHooks struct {
	// Wake, called before each ask, returns a channel whose closing makes
	// Wait ask again at once instead of at its next poll: the caller
	// closes it when it ended a lease or queued URLs, which may have made
	// a host ready.
	Wake func() <-chan struct{}
	// Idle is called when no host is ready, before Wait sleeps.
	Idle func()
	// Avoid, called before each ask, returns the hosts not to lease (see
	// Frontier.Lease).
	Avoid func() []string
	// OnErr is told of each error of the store.
	OnErr func(error)
}

// WaitWith is Wait with hooks.
func WaitWith(ctx context.Context, f Frontier, worker string, n int, poll time.Duration, h WaitHooks) (*Lease, error) {
	onErr := h.OnErr
	for {
		var woken <-chan struct{}
		if h.Wake != nil {
			woken = h.Wake()
		}
		var avoid []string
		if h.Avoid != nil {
			avoid = h.Avoid()
		}
		l, err := f.Lease(ctx, worker, n, avoid...)
		var d time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, ErrClosed) || errors.Is(err, ErrCorrupt) {
				return nil, err
			}
			if onErr != nil {
				onErr(err)
			}
			d = poll
		case !l.Empty():
			return l, nil
		case l.Next.IsZero() && l.Busy == 0:
			return nil, nil
		case l.Next.IsZero():
			d = poll
		default:
			d = min(max(time.Until(l.Next), time.Millisecond), poll)
		}
		if err == nil && h.Idle != nil {
			h.Idle()
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-woken:
			t.Stop()
		case <-t.C:
		}
	}
}

// Options configure either implementation.
type Options struct {
	Delay    time.Duration // a host's delay between requests unless SetDelay says otherwise (default 1s; negative: none)
	LeaseTTL time.Duration // how long a lease holds without Renew (default 30s)
}

// WithDefaults fills the zero fields.
func (o Options) WithDefaults() Options {
	switch {
	case o.Delay == 0:
		o.Delay = time.Second
	case o.Delay < 0:
		o.Delay = 0
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 30 * time.Second
	}
	return o
}
