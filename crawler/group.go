package crawler

import (
	"context"
	"errors"
	"slices"
	"time"

	"newsarc/store"
)

// Group commits. The crawl's workers neither write the archive nor the
// crawl state themselves: each hands its page's outcome (an article to
// put, an article to mark removed, the crawl state to record) to the
// crawl's one writer and goes on to the next page. The runs of one
// Crawler under one context (the sites of one crawl) share the writer, so
// that sites crawled at the same time still commit in whole groups. The writer commits what it was
// handed in groups: at most Config.GroupSize articles, and at most
// Config.GroupWait after the first page of the group was handed over. A
// group is one Archive.Put (one bbolt transaction and one index batch in
// the embedded store, one bulk request in Elasticsearch), then one crawl
// state transaction for every page of the group, after the put: a page is
// done, off the frontier, only once its article is in the archive, so a
// crash between the two only fetches the page again. A worker waits for
// the writer only when a whole group is waiting already (the channel is
// full): back-pressure, not a round trip per page.

// Defaults of Config.GroupSize and Config.GroupWait.
const (
	DefaultGroupSize = 512
	DefaultGroupWait = time.Second
)

// maxGroupPages is how many pages a group holds at least before it is
// committed whatever its articles (4 × GroupSize when more): the crawl
// state of list pages, feeds and failures waits for no article.
const maxGroupPages = 1024

// interruptFlush bounds the commits of a crawl whose context is cancelled:
// the pages in hand are committed, and what is not committed within it
// stays queued for the run that resumes the crawl. A variable for tests.
var interruptFlush = 30 * time.Second

// pageRecord is the crawl state of one URL, to be written.
type pageRecord struct {
	url string
	ps  PageState
}

// recordsFor records ps under each of urls.
func recordsFor(urls []string, ps PageState) []pageRecord {
	out := make([]pageRecord, len(urls))
	for i, u := range urls {
		out[i] = pageRecord{u, ps}
	}
	return out
}

// commitItem is one page's share of a group commit.
type commitItem struct {
	r *run // the page's run
	// art, when set, is linked to its near-duplicates and put in the
	// archive.
	art *store.Article
	// alternate: art was read at another URL than its canonical one, and
	// is put only when no article of its ID is archived or in the group
	// before it (see archive).
	alternate bool
	// removal, when set, is the ID of an archived article whose page now
	// answers 404 or 410: its record gets removedAt.
	removal   string
	removedAt time.Time
	// shown are the records previous reports for the page's URLs while
	// its group is not yet written.
	shown []pageRecord
	// state returns the crawl state to write for the page, given what the
	// archive did with its article (err errAlternate: not put, an article
	// of its ID being archived already; store.ErrNotFound for a removal:
	// no such article). Nil leaves the page's URLs in the frontier.
	state func(ch store.Change, err error) []pageRecord
	// report, when set, counts and logs the page's outcome once the state
	// is written.
	report func(ch store.Change, err error)
}

// puts reports whether the item may put an article.
func (it *commitItem) puts() bool { return it.art != nil || it.removal != "" }

// writer is the group writer of the runs of one Crawler under one
// context.
type writer struct {
	c     *Crawler
	ctx   context.Context
	in    chan *commitItem
	flush chan chan struct{} // commit what is held now, then close the channel
	soon  chan struct{}      // commit what is held now, without waiting for it (see commitSoon)
	size  int
	wait  time.Duration
	done  chan struct{}
	users int // runs using it; under Crawler.wmu
}

// startWriter joins the run to its crawl's writer under ctx, starting it
// when it is the first. Cancelling ctx makes the writer commit what it
// holds at once, and gives later commits interruptFlush to finish.
func (r *run) startWriter(ctx context.Context) {
	c := r.c
	c.wmu.Lock()
	defer c.wmu.Unlock()
	w := c.writers[ctx]
	if w == nil {
		w = &writer{c: c, ctx: ctx, in: make(chan *commitItem, c.cfg.GroupSize), flush: make(chan chan struct{}),
			soon: make(chan struct{}, 1), size: c.cfg.GroupSize, wait: c.cfg.GroupWait, done: make(chan struct{})}
		if c.writers == nil {
			c.writers = map[context.Context]*writer{}
		}
		c.writers[ctx] = w
		go w.loop(ctx)
	}
	w.users++
	r.w = w
}

// stopWriter commits what the writer holds (the run's last pages among
// it) and leaves it, stopping it when the run was its last user. Nothing
// may be submitted after.
func (r *run) stopWriter() {
	w := r.w
	if w == nil {
		return
	}
	ack := make(chan struct{})
	w.flush <- ack
	<-ack
	c := r.c
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if w.users--; w.users == 0 {
		delete(c.writers, w.ctx)
		close(w.in)
		<-w.done
	}
	r.w = nil
}

// submit hands a page's outcome to the writer. It blocks only while the
// writer is a whole group behind. Without a writer (a run not started by
// Run) the item is committed on its own, at once.
func (r *run) submit(it *commitItem) {
	it.r = r
	r.mu.Lock()
	for _, rec := range it.shown {
		r.shown[rec.url] = rec.ps
	}
	if it.art != nil {
		r.pendingIDs[it.art.ID]++
	}
	r.mu.Unlock()
	r.dist.submitted.Add(1)
	if r.w == nil {
		r.c.commit(context.Background(), []*commitItem{it})
		return
	}
	r.w.in <- it
}

// commitSoon asks the writer to commit what it holds without waiting for
// the group to fill or for GroupWait, and returns at once: a worker of a
// shared crawl that finds no host ready asks it, since the hosts of its
// leases stay leased (from every worker) until their pages are committed.
// Requests made while one is pending are one request.
func (r *run) commitSoon() {
	if r.w == nil {
		return
	}
	select {
	case r.w.soon <- struct{}{}:
	default:
	}
}

func (w *writer) loop(ctx context.Context) {
	defer close(w.done)
	putCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var (
		group    []*commitItem
		articles int
		timer    = time.NewTimer(time.Hour)
		due      <-chan time.Time
		stopping = ctx.Done()
	)
	timer.Stop()
	flush := func() {
		timer.Stop()
		due = nil
		if len(group) > 0 {
			w.c.commit(putCtx, group)
		}
		group, articles = nil, 0
	}
	// add takes an item into the group, committing the group when it is
	// full; it reports whether the group was committed.
	add := func(it *commitItem) bool {
		group = append(group, it)
		if it.puts() {
			articles++
		}
		if articles >= w.size || len(group) >= max(4*w.size, maxGroupPages) {
			flush()
			return true
		}
		return false
	}
	// drain takes what the channel holds now into the group.
	drain := func() {
		for {
			select {
			case it, ok := <-w.in:
				if !ok {
					return // closed: the loop's next receive ends it
				}
				add(it)
			default:
				return
			}
		}
	}
	for {
		select {
		case it, ok := <-w.in:
			if !ok {
				flush()
				return
			}
			if !add(it) && due == nil {
				timer.Reset(w.wait)
				due = timer.C
			}
		case ack := <-w.flush:
			// A run is ending: what it handed over (all of it in the
			// channel by now) is committed before it goes on.
			drain()
			flush()
			close(ack)
		case <-due:
			flush()
		case <-w.soon:
			// Only what was handed over before the request is awaited;
			// what the channel holds now is part of it.
			drain()
			flush()
		case <-stopping:
			// The crawl is being stopped: what is in hand is committed now,
			// and the pages still being finished get interruptFlush.
			stopping = nil
			t := time.AfterFunc(interruptFlush, cancel)
			defer t.Stop()
			flush()
		}
	}
}

// commit writes a group: it links the group's articles to their
// near-duplicates, in order, against the archive and the group's articles
// before each (as if each had been put on its own); puts them in one call;
// writes the crawl state of every page of the group in one transaction;
// and then counts and logs each page's outcome. A group may hold the
// pages of several runs (sites crawled at the same time): one put for all
// their articles, one crawl-state transaction per run.
func (c *Crawler) commit(ctx context.Context, group []*commitItem) {
	changes := make([]store.Change, len(group))
	errs := make([]error, len(group))
	var (
		puts []*store.Article
		at   []int // the item of each put
	)
	ov := &groupLinker{st: c.st, arts: map[string]*store.Article{}}
	for i, it := range group {
		r := it.r
		var a *store.Article
		switch {
		case it.art != nil:
			a = it.art
			if it.alternate {
				if _, err := ov.Get(ctx, a.ID); err == nil {
					errs[i] = errAlternate
					continue
				}
			}
			if d := c.cfg.DuplicateDistance; d >= 0 {
				err := guard("link", func() error { return store.Link(ctx, ov, a, d) })
				if pe := (*panicError)(nil); errors.As(err, &pe) {
					errs[i] = err
					continue
				}
				if err != nil {
					// The article is archived as its own group all the
					// same; a later fetch of it or of its reprints links
					// them.
					r.log.Warn("near-duplicate lookup failed", "url", a.URL, "err", err)
				}
			}
		case it.removal != "":
			old, err := ov.Get(ctx, it.removal)
			if err != nil {
				errs[i] = err // store.ErrNotFound: nothing to mark
				continue
			}
			if !old.RemovedAt.IsZero() {
				continue
			}
			old.RemovedAt = it.removedAt
			a = old
		default:
			continue
		}
		ov.arts[a.ID] = a
		at = append(at, i)
		puts = append(puts, a)
	}
	pc, pe := c.putGroup(ctx, puts)
	for j, i := range at {
		changes[i], errs[i] = pc[j], pe[j]
	}

	// The crawl state of each run's pages, in one transaction per run.
	var runs []*run
	recs := map[*run][]pageRecord{}
	items := map[*run]int{}
	refused := map[*run][]string{} // leased URLs whose article was not put
	for i, it := range group {
		r := it.r
		if _, ok := items[r]; !ok {
			runs = append(runs, r)
		}
		items[r]++
		if it.state == nil {
			continue
		}
		var got []pageRecord
		if err := guard("record", func() error { got = it.state(changes[i], errs[i]); return nil }); err != nil {
			r.reportPanic(firstURL(it), err.(*panicError))
			continue
		}
		recs[r] = append(recs[r], got...)
		if len(got) == 0 && errs[i] != nil && !stopped(errs[i]) {
			for _, rec := range it.shown {
				refused[r] = append(refused[r], rec.url)
			}
		}
	}
	for _, r := range runs {
		// Pages the archive refused are fetched again later, or
		// dropped; left leased, they would be fetched again at once
		// when their lease is released, without end.
		for _, u := range refused[r] {
			r.dist.refused(u)
		}
		// The group's URLs are done in the frontier only now, after
		// their articles were put: a worker killed before this point
		// leaves them leased, and they go to another worker once the
		// lease ends.
		r.dist.done(ctx, recs[r], items[r])
	}
	for _, it := range group {
		r := it.r
		r.mu.Lock()
		for _, rec := range it.shown {
			if p, ok := r.shown[rec.url]; ok && p == rec.ps {
				delete(r.shown, rec.url)
			}
		}
		if it.art != nil {
			if r.pendingIDs[it.art.ID]--; r.pendingIDs[it.art.ID] <= 0 {
				delete(r.pendingIDs, it.art.ID)
			}
		}
		r.mu.Unlock()
	}
	for i, it := range group {
		if it.report == nil {
			continue
		}
		if err := guard("report", func() error { it.report(changes[i], errs[i]); return nil }); err != nil {
			it.r.reportPanic(firstURL(it), err.(*panicError))
		}
	}
}

// firstURL names an item's page in a log line.
func firstURL(it *commitItem) string {
	switch {
	case len(it.shown) > 0:
		return it.shown[0].url
	case it.art != nil:
		return it.art.URL
	}
	return ""
}

// putGroup puts a group's articles in one call and returns, per article,
// what the archive did or why it failed. When the archive refuses the
// group for a reason other than being stopped or down (a full disk, an
// article it will not take, a panic), the group is split in halves and each
// is put again, down to single articles: a nearly full disk still takes
// what fits, and one bad article fails alone, as when each article was its
// own put.
func (c *Crawler) putGroup(ctx context.Context, arts []*store.Article) ([]store.Change, []error) {
	changes := make([]store.Change, len(arts))
	errs := make([]error, len(arts))
	if len(arts) == 0 {
		return changes, errs
	}
	var got []store.Change
	err := guard("put", func() error {
		var err error
		got, err = c.put(ctx, arts...)
		return err
	})
	if err == nil {
		copy(changes, got) // a store reporting fewer changes: the rest unchanged
		return changes, errs
	}
	if len(arts) == 1 || ctx.Err() != nil || store.IsTransient(err) || errors.Is(err, store.ErrClosed) {
		for i := range errs {
			errs[i] = err
		}
		return changes, errs
	}
	h := len(arts) / 2
	c1, e1 := c.putGroup(ctx, arts[:h])
	c2, e2 := c.putGroup(ctx, arts[h:])
	return append(c1, c2...), append(e1, e2...)
}

// put stores articles, retrying transient failures with backoff.
func (c *Crawler) put(ctx context.Context, arts ...*store.Article) ([]store.Change, error) {
	for attempt := 0; ; attempt++ {
		changes, err := c.st.Put(ctx, arts...)
		if err == nil || !store.IsTransient(err) || attempt >= c.cfg.Retries {
			return changes, err
		}
		if !sleep(ctx, c.backoff(attempt)) {
			return nil, err
		}
	}
}

// groupLinker is the archive as Link sees it while a group is prepared:
// the store, and over it the group's articles linked so far. It is a
// store.LinkReader, asking the store for link records when the store is
// one too.
type groupLinker struct {
	st   store.Linker
	arts map[string]*store.Article // by ID, the last of the group
}

// Get returns the group's article of that ID, else the archive's.
func (g *groupLinker) Get(ctx context.Context, id string) (*store.Article, error) {
	if a, ok := g.arts[id]; ok {
		c := *a
		return &c, nil
	}
	return g.st.Get(ctx, id)
}

// Similar is the archive's Similar with the group's articles in place of
// their archived records, as the archive would answer once they are put.
func (g *groupLinker) Similar(ctx context.Context, hash uint64, maxDistance int) ([]*store.Article, error) {
	found, err := g.st.Similar(ctx, hash, maxDistance)
	if err != nil || len(g.arts) == 0 {
		return found, err
	}
	out := make([]*store.Article, 0, len(found))
	for _, a := range found {
		if _, ok := g.arts[a.ID]; !ok {
			out = append(out, a)
		}
	}
	bands := store.SimHashBands(hash)
	for _, a := range g.arts {
		h, err := store.ParseSimHash(a.SimHash)
		if err != nil || store.Hamming(hash, h) > maxDistance {
			continue
		}
		if maxDistance > store.MaxSimilarDistance && !shareBand(bands, store.SimHashBands(h)) {
			continue // beyond the bands, the archive finds only those sharing one
		}
		out = append(out, a)
	}
	return store.NearestFirst(hash, maxDistance, out), nil
}

// LinkRecord returns the link record of the group's article of that ID,
// else the archive's.
func (g *groupLinker) LinkRecord(ctx context.Context, id string) (store.LinkRecord, error) {
	if a, ok := g.arts[id]; ok {
		return store.LinkOf(a), nil
	}
	if lr, ok := g.st.(store.LinkReader); ok {
		return lr.LinkRecord(ctx, id)
	}
	a, err := g.st.Get(ctx, id)
	if err != nil {
		return store.LinkRecord{}, err
	}
	return store.LinkOf(a), nil
}

// NearLinks is the archive's NearLinks with the group's articles in place
// of their archived records, as Similar is for Similar. Over a store that
// is no LinkReader it is made of Similar's answer.
func (g *groupLinker) NearLinks(ctx context.Context, hash uint64, maxDistance int) ([]store.LinkRecord, error) {
	var found []store.LinkRecord
	limit := store.NearLinksLimit
	if lr, ok := g.st.(store.LinkReader); ok {
		var err error
		if found, err = lr.NearLinks(ctx, hash, maxDistance); err != nil {
			return nil, err
		}
	} else {
		arts, err := g.st.Similar(ctx, hash, maxDistance)
		if err != nil {
			return nil, err
		}
		for _, a := range arts {
			found = append(found, store.LinkOf(a))
		}
		limit = store.SimilarLimit
	}
	if len(g.arts) == 0 {
		return found, nil
	}
	found = slices.DeleteFunc(found, func(r store.LinkRecord) bool { _, ok := g.arts[r.ID]; return ok })
	bands := store.SimHashBands(hash)
	for _, a := range g.arts {
		r := store.LinkOf(a)
		if !r.HasSimHash || store.Hamming(hash, r.SimHash) > maxDistance {
			continue
		}
		if maxDistance > store.MaxSimilarDistance && !shareBand(bands, store.SimHashBands(r.SimHash)) {
			continue
		}
		found = append(found, r)
	}
	return store.NearestLinks(hash, maxDistance, limit, found), nil
}

func shareBand(a, b []string) bool {
	for i := range a {
		if a[i] == b[i] {
			return true
		}
	}
	return false
}
