package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"newsarc/crawler/frontier"
)

// The crawl through a frontier. Every run crawls through one: a crawl of
// one process on its site's embedded frontier (boltfrontier, kept in the
// crawl state, see State), and a worker of a shared crawl (Config.Frontier)
// on the frontier that any number of processes, on any number of
// machines, run together (redisfrontier: a Redis server). colly stays the
// fetcher; the frontier stands beside it. colly's own queue and storage
// (queue.Storage, storage.Storage) do not fit: they hold URLs and visited
// flags, with no leases, no hosts, no per-URL fetch state and no way to
// mark a URL done only after its article is written, which is what many
// workers need.
//
//   - The run's start URLs (seeds, the revisits that are due) pass the
//     link rules and are enqueued once per run, whichever worker comes
//     first (frontier.Seed); every link found passes the rules and is
//     enqueued (frontier.Enqueue): the frontier's seen set, shared by the
//     workers, decides whether it is new.
//   - The run's goroutines lease hosts (frontier.Wait): one host at a
//     time, with a batch of its URLs, is this worker's alone. The worker
//     fetches the batch Parallelism URLs at a time (one under a
//     robots.txt Crawl-delay), each request spaced by the host's delay
//     over the parallelism, as a crawl of one process does; the frontier
//     keeps the delay (robots.txt's Crawl-delay, read by any worker, is
//     set there), and hands the host out again only its delay after the
//     lease ended: two workers never send one host more requests than a
//     crawl of one process would. robots.txt itself is read under a
//     lease, by each worker the first time it leases the host. Once
//     through its batch, the worker extends the lease with the host's
//     URLs queued since (frontier.Extend) while the batch's pages wait
//     for their commit, until another host has waited long for a worker
//     or for up to a lease TTL (see dist.extend).
//   - A URL's rules that need its fetch state (not due yet, a
//     continuation page, resting after a panic) are checked when it is
//     leased, against the frontier's state, and so are the run's budgets,
//     which the frontier keeps for every worker (max_pages, and
//     max_list_pages for a shape known to be a list, see dist.budgets);
//     refused URLs are dropped.
//   - Retries go back to the frontier, due at their time (frontier.Retry).
//   - The group writer commits the articles to the archive, then marks
//     their URLs done with their fetch state (frontier.Done). A lease is
//     renewed while its URLs are fetched and written; a worker that dies
//     stops renewing, and its URLs go to another worker when the lease
//     expires. URLs whose commit failed are released, to be fetched again.
//   - The run ends for a worker when the frontier holds nothing queued and
//     no host leased; the worker that sees it so finishes the run.

// A worker leases a host's URLs by batches of minBatch to maxBatch: as
// many as it fetches, at the host's delay, in half the lease's time. The
// host goes to another worker only once the batch's articles are
// committed (a group commit, up to GroupWait): a small batch at a short
// delay would spend its lease waiting for the writer. leasePoll is how
// often an idle worker asks the frontier again at most.
const (
	minBatch  = 8
	maxBatch  = 64
	leasePoll = 100 * time.Millisecond
	// maxWait is how long a ready host may wait for a worker before the
	// worker extending a lease lets its host go: longer than an idle
	// goroutine takes to ask (leasePoll), so that a host waits only when
	// every goroutine is busy.
	maxWait = 5 * leasePoll
)

// batch returns how many URLs to lease, given the last lease's delay and
// time (none yet: minBatch).
func (d *dist) batch() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ttl <= 0 {
		return minBatch
	}
	if d.delay <= 0 {
		return maxBatch
	}
	return int(min(max(int64(d.ttl/2/d.delay), minBatch), maxBatch))
}

// dist is a run's share of a crawl run by many workers.
type dist struct {
	r      *run
	f      frontier.Frontier
	worker string
	// local: the run is a crawl of one process, on its embedded frontier
	// (the crawl state), not a worker of a shared crawl.
	local bool

	// submitted and committed count the items handed to the writer and
	// committed by it: a lease whose URLs were all fetched when
	// submitted was n is settled once committed reaches n.
	submitted, committed atomic.Int64

	mu      sync.Mutex
	held    map[string]*heldLease // leased URL → its lease, until finished
	leases  map[*heldLease]bool
	cache   map[string]cachedPage // fetch state read when a URL was leased
	robots  map[string]bool       // origins whose sitemaps were enqueued
	budget  map[string]urlSet     // a local run's budgets: name → the URLs holding a place
	drained bool                  // the frontier was found empty
	failed  error                 // why the frontier could not go on (frontier.ErrCorrupt)
	avoid   map[string]time.Time  // hosts handed off to another worker → until when this one does not lease them
	ttl     time.Duration         // the last lease's time and delay, for batch
	delay   time.Duration
	errLog  time.Time // when the last frontier error was logged

	// wake is closed, and replaced, when this worker ended a lease or
	// queued URLs: its goroutines waiting for a ready host ask again
	// (see wakeUp).
	wake chan struct{}

	stopRenew chan struct{}
	renewDone chan struct{}
}

type cachedPage struct {
	ps PageState
	ok bool
}

// heldLease is one lease this worker holds.
type heldLease struct {
	// l is the lease, replaced by a copy with more entries by extend
	// (read and set under dist.mu); began is when it was leased, on this
	// machine's clock.
	l     *frontier.Lease
	began time.Time
	// waiting: the last extension said another host waited long for a
	// worker; h is not extended again. asked: it said another worker
	// found no host to lease, lately. handoff: h was held for a lease
	// TTL while another worker was idle, and let go for it (see extend).
	waiting, asked, handoff bool
	// deadline is the lease's, moved by each renewal; open counts its URLs
	// not yet done, retried or dropped.
	deadline time.Time
	open     int
	// fetched: the worker went through its URLs, when the writer had been
	// handed mark items.
	fetched bool
	mark    int64
	lost    bool
}

func newDist(r *run, f frontier.Frontier, worker string, local bool) *dist {
	if worker == "" {
		worker = "worker"
	}
	return &dist{r: r, f: f, worker: worker, local: local, held: map[string]*heldLease{}, leases: map[*heldLease]bool{},
		cache: map[string]cachedPage{}, robots: map[string]bool{}, budget: map[string]urlSet{}, avoid: map[string]time.Time{},
		wake: make(chan struct{}), stopRenew: make(chan struct{}), renewDone: make(chan struct{})}
}

// begin starts or joins the site's run and returns the URLs due for a
// revisit; it starts the lease renewer.
func (d *dist) begin(ctx context.Context) ([]string, error) {
	r := d.r
	run, err := d.f.BeginRun(ctx, r.site.Name)
	if err != nil {
		return nil, err
	}
	r.runID = run.ID
	switch {
	case d.local:
		// The run of a crawl of one process that is not finished was
		// killed: this one resumes it, from the URLs it left queued.
		r.stats.Resumed = run.Resumed
		if run.Resumed {
			st, _ := d.f.Stats(ctx, r.site.Name)
			r.log.Info("resuming a killed run", "run", run.ID, "count", st.Pending)
		}
	default:
		// Joining a run begun by another worker is the rule, not a
		// resumed crawl: Stats.Resumed stays false.
		r.stats.Run, r.stats.Worker = run.ID, d.worker
		r.log = r.log.With("run", run.ID, "worker", d.worker)
		if run.Resumed {
			r.log.Info("joining the site's run")
		}
	}
	due, err := d.f.Due(ctx, r.site.Name, r.now)
	if err != nil {
		return nil, err
	}
	go d.renew()
	return due, nil
}

// enqueue hands URLs that passed the link rules to the frontier: as the
// run's seeds when start, else as links found.
func (d *dist) enqueue(urls []frontierURL, hubs, seeds []bool, start bool) {
	r := d.r
	entries := make([]frontier.Entry, len(urls))
	for i, u := range urls {
		e := frontier.Entry{URL: u.URL, Site: r.site.Name, Depth: u.Depth, Kind: "page"}
		if hubs[i] || seeds[i] {
			e.Priority = frontier.PriorityHigh
		}
		if seeds[i] {
			e.Kind = "seed"
		}
		entries[i] = e
	}
	ctx := context.WithoutCancel(r.ctx)
	if start {
		seeded, err := d.f.Seed(ctx, r.site.Name, r.runID, entries)
		if err != nil {
			r.log.Error("frontier: seed", "err", err)
		} else if !seeded {
			r.log.Info("the run's seeds were enqueued by another worker")
		}
		return
	}
	if _, err := d.f.Enqueue(ctx, entries...); err != nil {
		r.log.Error("frontier: enqueue", "urls", len(entries), "err", err)
		return
	}
	d.wakeUp()
}

// work leases hosts and fetches their URLs until the frontier is drained
// or ctx ends.
func (d *dist) work(ctx context.Context) {
	for {
		l, err := frontier.WaitWith(ctx, d.f, d.worker, d.batch(), leasePoll,
			frontier.WaitHooks{Wake: d.woken, Idle: d.idle, Avoid: d.avoiding, OnErr: d.logErr})
		if err != nil || l == nil {
			d.mu.Lock()
			switch {
			case err == nil:
				d.drained = true
			case ctx.Err() == nil && d.failed == nil:
				// The frontier cannot go on (a damaged file): the
				// run stops with this error.
				d.failed = err
				d.r.log.Error("frontier: the crawl stops", "err", err)
			}
			d.mu.Unlock()
			return
		}
		p := d.parallelism(l)
		h := d.hold(l, p)
		d.r.pace.set(l.Host, l.Delay, p)
		for batch := l.Entries; len(batch) > 0; batch = d.extend(ctx, h) {
			d.fetchBatch(ctx, h, batch, p)
		}
		d.mu.Lock()
		h.fetched, h.mark = true, d.submitted.Load()
		d.mu.Unlock()
		d.sweep()
	}
}

// fetchBatch fetches a batch of h's URLs, p at a time.
func (d *dist) fetchBatch(ctx context.Context, h *heldLease, batch []frontier.Entry, p int) {
	entries := make(chan frontier.Entry)
	var fetchers sync.WaitGroup
	for range min(p, len(batch)) {
		fetchers.Go(func() {
			for e := range entries {
				if ctx.Err() != nil || !d.valid(h) {
					continue
				}
				if !d.holds(h, e.URL) {
					// Done already: the record of a page fetched
					// before it under another URL (its canonical
					// form, a redirect).
					continue
				}
				d.fetch(ctx, h, e)
			}
		})
	}
	for _, e := range batch {
		entries <- e
	}
	close(entries)
	fetchers.Wait()
}

// extend asks the frontier for more of h's host's due URLs once its batch
// was fetched: the pages of the batch wait for the group commit, and the
// host would idle until then (on a site of few hosts, a chain of list
// pages would then go at one list page per commit). It returns the URLs
// added to h; none when the host has none due, when its lease ended, or,
// so that the hosts waiting for a worker get their turn, when the last
// extension said one had waited longer than maxWait (no goroutine of any
// worker was free to take it), or when h was held for a lease TTL.
//
// A host held for a lease TTL while another worker asked for work in
// vain is handed off: once its lease ends, this worker does not lease it
// again for the host's delay and two polls, the time the idle worker
// takes to ask for it. Without that, the worker letting the host go,
// which learns first when it is ready again, took it back, and a crawl of
// one site stayed with one worker.
func (d *dist) extend(ctx context.Context, h *heldLease) []frontier.Entry {
	d.mu.Lock()
	l := h.l
	ttl := l.Deadline.Sub(l.At)
	held := time.Since(h.began) > ttl
	stop := h.lost || h.waiting || held
	if held && h.asked {
		h.handoff = true
	}
	d.mu.Unlock()
	if stop || ctx.Err() != nil || !d.valid(h) {
		return nil
	}
	asked := time.Now()
	ext, err := d.f.Extend(ctx, l, d.batch())
	more := ext.Entries
	if err != nil {
		if !errors.Is(err, frontier.ErrLeaseLost) && ctx.Err() == nil {
			d.logErr(err)
		}
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	h.waiting = !ext.Waiting.IsZero() && asked.Sub(ext.Waiting) > maxWait
	h.asked = !ext.Asked.IsZero() && asked.Sub(ext.Asked) < maxWait
	if len(more) == 0 {
		return nil
	}
	// The frontier's other calls read a lease's entries (the site of a
	// URL) in other goroutines: h gets a new lease value.
	nl := *h.l
	nl.Entries = append(slices.Clip(h.l.Entries), more...)
	h.l = &nl
	h.open += len(more)
	h.deadline = asked.Add(ttl) // on this machine's clock, as in renew
	for _, e := range more {
		d.held[e.URL] = h
	}
	// Its earlier URLs may all be done by now (sweep forgot it).
	d.leases[h] = true
	return more
}

// idle is called when the worker found no host ready. When a host it
// leased waits only for its pages' commit, the worker has the writer
// commit what it holds: the host is then free at once, not after up to
// GroupWait (and a GroupWait longer than the crawl would never end it).
// Hosts still being fetched do not ask it, so that a busy crawl keeps
// committing whole groups.
func (d *dist) idle() {
	d.mu.Lock()
	waiting := false
	for h := range d.leases {
		if h.fetched && h.open > 0 {
			waiting = true
			break
		}
	}
	d.mu.Unlock()
	if waiting {
		d.r.commitSoon()
	}
}

// woken returns the channel wakeUp closes next.
func (d *dist) woken() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.wake
}

// wakeUp has the worker's goroutines waiting for a ready host ask the
// frontier again now, instead of at their next poll: a host this worker
// held may be free (a lease it ended), or ready (URLs it queued).
func (d *dist) wakeUp() {
	d.mu.Lock()
	defer d.mu.Unlock()
	close(d.wake)
	d.wake = make(chan struct{})
}

// logErr logs a frontier that fails (a Redis server away), once every few
// seconds.
func (d *dist) logErr(err error) {
	d.mu.Lock()
	log := time.Since(d.errLog) > 5*time.Second
	if log {
		d.errLog = time.Now()
	}
	d.mu.Unlock()
	if log {
		d.r.log.Warn("frontier unavailable, waiting", "err", err)
	}
}

// parallelism is how many of a lease's URLs are fetched at once: the
// crawl's Parallelism, each request still spaced by the pacer (a request
// every delay/parallelism, as in a crawl of one process), or one under a
// robots.txt Crawl-delay, which is longer than the site's delay. The lease
// makes the host this worker's alone, so the rate holds across workers.
func (d *dist) parallelism(l *frontier.Lease) int {
	if l.Delay > d.r.delay {
		return 1
	}
	return max(d.r.c.cfg.Parallelism, 1)
}

func (d *dist) hold(l *frontier.Lease, parallelism int) *heldLease {
	// The deadline on this machine's clock: the server's may differ.
	now := time.Now()
	h := &heldLease{l: l, began: now, deadline: now.Add(l.Deadline.Sub(l.At)), open: len(l.Entries)}
	d.mu.Lock()
	d.ttl, d.delay = l.Deadline.Sub(l.At), l.Delay/time.Duration(max(parallelism, 1))
	for _, e := range l.Entries {
		d.held[e.URL] = h
	}
	d.leases[h] = true
	d.mu.Unlock()
	return h
}

// valid reports whether h still holds its host: not lost, and a quarter
// of its time before its deadline (a lease that could not be renewed, the
// frontier being away, may go to another worker at the deadline). It is
// asked right before each request of the lease.
func (d *dist) valid(h *heldLease) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !h.lost && time.Until(h.deadline) > h.l.Deadline.Sub(h.l.At)/4
}

// holds reports whether h still holds url: not yet done, retried or
// dropped. Once the last of its URLs is, the lease ends, and the host may
// be another worker's.
func (d *dist) holds(h *heldLease, url string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.held[url] == h
}

// fetch fetches one leased URL, after the checks that need robots.txt or
// its fetch state.
func (d *dist) fetch(ctx context.Context, h *heldLease, e frontier.Entry) {
	r := d.r
	// A panic in the checks below (a frontier's answer, robots.txt, the
	// links of a robots.txt's sitemaps) ends with this URL, which rests,
	// as a panic in a page's callbacks does: never with the worker.
	defer r.recoverPage("lease", e.URL)
	u, err := url.Parse(e.URL)
	if err != nil {
		d.drop(e.URL, "bad-url")
		return
	}
	if !d.valid(h) {
		return
	}
	if reason := r.robotsCheck(ctx, u); reason != "" {
		r.skipped(reason)
		d.drop(e.URL, reason)
		return
	}
	d.sitemaps(ctx, u)
	seed := e.Kind == "seed" || r.seeds[e.URL]
	p, ok, err := d.f.Page(ctx, r.site.Name, e.URL)
	if err != nil {
		return // stopped: the URL stays leased, and is released
	}
	ps := p
	d.mu.Lock()
	d.cache[e.URL] = cachedPage{ps, ok}
	d.mu.Unlock()
	reason := ""
	if ok {
		reason = r.stateReason(ps, e.URL, seed)
	}
	if reason == "" {
		if reason, err = d.budgets(ctx, u, seed); err != nil {
			return // stopped: the URL stays leased, and is released
		}
	}
	r.mu.Lock()
	if reason == "" {
		r.stats.Queued++
		if e.Attempt > r.attempts[e.URL] {
			r.attempts[e.URL] = e.Attempt
		}
	} else if !r.rejected.has(e.URL) {
		r.rejected.add(e.URL)
		r.skippedLocked(reason)
	}
	r.mu.Unlock()
	if reason != "" {
		d.drop(e.URL, reason)
		return
	}
	if !d.valid(h) || !d.holds(h, e.URL) {
		// The frontier calls above waited (Redis away) past the lease's
		// time: the host may be another worker's now.
		r.count(func(st *Stats) { st.Queued-- })
		return
	}
	r.fetch(e.URL, e.Depth)
}

// budgets takes u's places in the run's budgets, which the frontier keeps
// for every worker: the site's pages (max_pages) and, for a URL of a shape
// already found to be a list (pagination, calendars), that shape's pages
// (max_list_pages). It returns why u is refused ("" when it is not).
// Seeds take no list place: the local crawl takes them whatever their
// shape.
func (d *dist) budgets(ctx context.Context, u *url.URL, seed bool) (string, error) {
	r := d.r
	s := u.String()
	if !seed {
		t := template(u)
		r.mu.Lock()
		listy := r.lists[t] > 0
		r.mu.Unlock()
		if listy {
			if name := "list " + t; frontier.CheckBudget(name) == nil {
				ok, err := d.claim(ctx, name, s, r.c.cfg.MaxListPages)
				if err != nil {
					return "", err
				}
				if !ok {
					return "list-budget", nil
				}
			}
		}
	}
	ok, err := d.claim(ctx, "pages", s, r.maxPages())
	if err != nil {
		return "", err
	}
	if !ok {
		return "max-pages", nil
	}
	return "", nil
}

// claim takes a place for url in the named budget of the run (see
// frontier.Frontier.Claim). A crawl of one process keeps its budgets in
// memory, as they are its alone (a resumed run starts them again); a
// worker's are the frontier's, shared by every worker.
func (d *dist) claim(ctx context.Context, name, url string, limit int) (bool, error) {
	if !d.local {
		return d.f.Claim(ctx, d.r.site.Name, d.r.runID, name, url, limit)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.budget[name]
	if b == nil {
		b = urlSet{}
		d.budget[name] = b
	}
	if b.has(url) {
		return true, nil
	}
	if len(b) >= limit {
		return false, nil
	}
	b.add(url)
	return true, nil
}

// listPage counts a page found not to be an article in its shape's list
// budget, shared by the workers (see budgets): the first such page of a
// shape each worker finds was fetched before the worker knew the shape.
func (d *dist) listPage(u *url.URL) {
	r := d.r
	name := "list " + template(u)
	if frontier.CheckBudget(name) != nil {
		return
	}
	if _, err := d.claim(context.WithoutCancel(r.ctx), name, u.String(), r.c.cfg.MaxListPages); err != nil {
		r.log.Warn("frontier: list budget", "url", u.String(), "err", err)
	}
}

// sitemaps enqueues the Sitemap lines of a seed origin's robots.txt as
// seeds, once per worker (the frontier's seen set keeps them once).
func (d *dist) sitemaps(ctx context.Context, u *url.URL) {
	r := d.r
	if r.c.cfg.IgnoreRobots {
		return
	}
	o := origin(u)
	d.mu.Lock()
	done := d.robots[o]
	d.robots[o] = true
	d.mu.Unlock()
	if done {
		return
	}
	seedOrigin := false
	for _, s := range r.seedHosts() {
		if origin(s) == o {
			seedOrigin = true
		}
	}
	if !seedOrigin {
		return
	}
	var ts []target
	for _, s := range r.robotsFor(ctx, u).info.sitemaps {
		if cu, err := canonicalURL(s, nil); err == nil {
			ts = append(ts, target{u: cu, depth: 1, seed: true})
		}
	}
	r.visitAll(ts)
}

// page returns the fetch state of a URL from the frontier: the one read
// when it was leased, else asked for.
func (d *dist) page(u string) (PageState, bool) {
	d.mu.Lock()
	c, ok := d.cache[u]
	d.mu.Unlock()
	if ok {
		return c.ps, c.ok
	}
	p, found, err := d.f.Page(context.WithoutCancel(d.r.ctx), d.r.site.Name, u)
	if err != nil {
		d.r.log.Warn("frontier: page state", "url", u, "err", err)
		return PageState{}, false
	}
	return p, found
}

// take removes a leased URL from the worker's books and returns its lease
// (nil when it holds none).
func (d *dist) take(u string) *frontier.Lease {
	d.mu.Lock()
	defer d.mu.Unlock()
	h := d.held[u]
	delete(d.cache, u)
	if h == nil {
		return nil
	}
	delete(d.held, u)
	h.open--
	if h.open == 0 {
		d.handedOff(h)
	}
	return h.l
}

// handedOff starts the time during which this worker does not lease h's
// host again, when h was handed off (see extend); h's lease is ending.
// Called under d.mu.
func (d *dist) handedOff(h *heldLease) {
	if !h.handoff {
		return
	}
	d.avoid[h.l.Host] = time.Now().Add(h.l.Delay + 2*leasePoll)
}

// avoiding returns the hosts this worker handed off and does not lease
// yet.
func (d *dist) avoiding() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	now := time.Now()
	for host, until := range d.avoid {
		if now.After(until) {
			delete(d.avoid, host)
			continue
		}
		out = append(out, host)
	}
	return out
}

// drop takes a leased URL off the frontier without a fetch.
func (d *dist) drop(u, reason string) {
	l := d.take(u)
	if l == nil {
		return
	}
	if err := d.f.Drop(context.WithoutCancel(d.r.ctx), l, u, reason); err != nil && !errors.Is(err, frontier.ErrLeaseLost) {
		d.r.log.Warn("frontier: drop", "url", u, "err", err)
	}
}

// retry puts a leased URL back in the frontier, due at at.
func (d *dist) retry(u string, at time.Time) {
	l := d.take(u)
	if l == nil {
		return
	}
	if err := d.f.Retry(context.WithoutCancel(d.r.ctx), l, u, at); err != nil && !errors.Is(err, frontier.ErrLeaseLost) {
		d.r.log.Warn("frontier: retry", "url", u, "err", err)
	}
}

// refused handles a page whose article the archive did not put (a
// document the index rejects, a full disk), when u is a URL this worker
// leased: it is fetched again after a backoff, as a failed fetch is, up
// to Config.Retries times, then dropped under "store"; unrecorded, it is
// new to the next run. Each refused put counts as a store error. Other
// URLs (another URL of the page) are left alone.
func (d *dist) refused(u string) {
	r := d.r
	if r.ctx.Err() != nil {
		return // stopping: the lease is released, and u with it
	}
	d.mu.Lock()
	_, held := d.held[u]
	d.mu.Unlock()
	if !held {
		return
	}
	r.mu.Lock()
	n := r.attempts[u]
	r.attempts[u] = n + 1
	r.mu.Unlock()
	if n < r.c.cfg.Retries {
		r.count(func(st *Stats) { st.Retries++ })
		d.retry(u, time.Now().Add(r.backoff(n)))
		return
	}
	d.drop(u, "store")
}

// setDelay keeps a host's robots.txt Crawl-delay in the frontier, for
// every worker.
func (d *dist) setDelay(host string, delay time.Duration) {
	if err := d.f.SetDelay(context.WithoutCancel(d.r.ctx), host, delay); err != nil {
		d.r.log.Warn("frontier: crawl-delay", "host", host, "err", err)
	}
}

// done marks a committed group's URLs done, with their fetch state: the
// leased ones under their lease, the others (redirect hops, alternates,
// continuation pages) as fetch state only. n is the group's size.
func (d *dist) done(ctx context.Context, recs []pageRecord, n int) {
	defer func() {
		d.committed.Add(int64(n))
		d.sweep()
	}()
	if len(recs) == 0 {
		return
	}
	site := d.r.site.Name
	var outs []frontier.Outcome
	rest := frontier.Outcome{Site: site}
	for _, rec := range recs {
		fr := frontier.Record{URL: rec.url, State: rec.ps}
		if l := d.take(rec.url); l != nil {
			outs = append(outs, frontier.Outcome{Lease: l, URL: rec.url, Site: site, Records: []frontier.Record{fr}})
			continue
		}
		rest.Records = append(rest.Records, fr)
	}
	if len(rest.Records) > 0 {
		outs = append(outs, rest)
	}
	ok, err := d.f.Done(ctx, outs...)
	if err != nil {
		d.r.log.Error("frontier: done", "urls", len(outs), "err", err)
		return
	}
	d.wakeUp() // the leases whose last URLs these were have ended
	lost := 0
	for i, o := range outs {
		if o.Lease != nil && !ok[i] {
			lost++
		}
	}
	if lost > 0 {
		// Their leases ended first: another worker has them, and writes
		// the same records under the same IDs.
		d.r.log.Warn("frontier: URLs archived after their lease ended", "urls", lost)
	}
}

// sweep forgets the leases whose URLs are all finished, and releases
// those whose URLs were fetched and committed without being finished (a
// store that failed, a stopped crawl): their URLs go back to the queue.
func (d *dist) sweep() {
	committed := d.committed.Load()
	var release []*frontier.Lease
	d.mu.Lock()
	for h := range d.leases {
		switch {
		case h.open <= 0:
			delete(d.leases, h)
		case h.fetched && committed >= h.mark:
			delete(d.leases, h)
			d.handedOff(h)
			release = append(release, h.l)
			for _, e := range h.l.Entries {
				if d.held[e.URL] == h {
					delete(d.held, e.URL)
					delete(d.cache, e.URL)
				}
			}
		}
	}
	d.mu.Unlock()
	for _, l := range release {
		if err := d.f.Release(context.WithoutCancel(d.r.ctx), l); err != nil {
			d.r.log.Warn("frontier: release", "host", l.Host, "err", err)
		}
	}
	if len(release) > 0 {
		d.wakeUp()
	}
}

// renew keeps the worker's leases: each is renewed once half its time is
// gone; one that was lost is no longer fetched from.
func (d *dist) renew() {
	defer close(d.renewDone)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-d.stopRenew:
			return
		case <-t.C:
		}
		now := time.Now()
		var due []*heldLease
		var ls []frontier.Lease
		d.mu.Lock()
		for h := range d.leases {
			if !h.lost && h.deadline.Sub(now) < h.l.Deadline.Sub(h.l.At)/2 {
				due = append(due, h)
				ls = append(ls, *h.l)
			}
		}
		d.mu.Unlock()
		for i, h := range due {
			l := ls[i]
			ttl := l.Deadline.Sub(l.At)
			ctx, cancel := context.WithTimeout(context.WithoutCancel(d.r.ctx), ttl)
			asked := time.Now()
			err := d.f.Renew(ctx, &l)
			cancel()
			d.mu.Lock()
			switch {
			case errors.Is(err, frontier.ErrLeaseLost):
				h.lost = true
			case err == nil:
				h.deadline = asked.Add(ttl) // on this machine's clock, from before the call
			}
			d.mu.Unlock()
			if errors.Is(err, frontier.ErrLeaseLost) {
				d.r.log.Warn("frontier: lease lost", "host", l.Host)
			}
		}
	}
}

// stop ends the worker's part once the writer has committed what it held:
// the renewer stops and the leases still held are released, their
// unfinished URLs going back to the queue.
func (d *dist) stop() {
	close(d.stopRenew)
	<-d.renewDone
	d.mu.Lock()
	var ls []*frontier.Lease
	for h := range d.leases {
		if h.open > 0 {
			ls = append(ls, h.l)
		}
	}
	d.leases = map[*heldLease]bool{}
	d.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(d.r.ctx), 10*time.Second)
	defer cancel()
	for _, l := range ls {
		if err := d.f.Release(ctx, l); err != nil {
			d.r.log.Warn("frontier: release", "host", l.Host, "err", err)
		}
	}
}

// finish finishes the site's run when this worker found the frontier
// drained.
func (d *dist) finish(ctx context.Context) error {
	d.mu.Lock()
	drained, failed := d.drained, d.failed
	d.mu.Unlock()
	if failed != nil {
		return fmt.Errorf("crawler: %s: %w", d.r.site.Name, failed)
	}
	if !drained {
		return nil
	}
	if err := d.f.FinishRun(ctx, d.r.site.Name, d.r.runID); err != nil {
		return err
	}
	return nil
}
