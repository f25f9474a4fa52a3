package crawler

import (
	"time"

	"newsarc/store"
)

// Observer is told of a crawl's events as they are counted in Stats: every
// count of Fetched, Bytes, New, Updated, Unchanged, Errors and Skipped is
// one call, made where the count is taken, so that what an Observer derives
// (metrics) agrees with the live counts and the run summary. Its methods
// are called from the crawl's goroutines, some with the crawler's locks
// held: they must be safe for concurrent use, quick, and must not call the
// crawler.
type Observer interface {
	// Fetched is called for each response to a page of the site (any
	// status), with its body size after decompression: Stats.Fetched and
	// Stats.Bytes.
	Fetched(site string, status int, bytes int)
	// RoundTrip is called for each HTTP exchange of the site's crawl
	// (pages, continuation pages, robots.txt, each redirect hop) with the
	// time from sending the request to having read the body, politeness
	// waits excluded; status is 0 when it failed without a response.
	RoundTrip(site string, status int, dur time.Duration)
	// Archived is called for each article put in the archive: Stats.New,
	// Stats.Updated or Stats.Unchanged by change.
	Archived(site string, change store.Change)
	// Failed is called for each failed page, by kind: Stats.Errors.
	Failed(site, kind string)
	// Skipped is called for each URL not fetched, by reason: Stats.Skipped.
	Skipped(site, reason string)
}

// fetched counts a response to a page of the site.
func (r *run) fetched(status, n int) {
	r.count(func(st *Stats) { st.Fetched++; st.Bytes += int64(n) })
	if o := r.c.cfg.Observer; o != nil {
		o.Fetched(r.site.Name, status, n)
	}
}

// failed counts a failed page.
func (r *run) failed(kind string) {
	r.count(func(st *Stats) { st.Errors[kind]++ })
	if o := r.c.cfg.Observer; o != nil {
		o.Failed(r.site.Name, kind)
	}
}

// skipped counts a URL not fetched.
func (r *run) skipped(reason string) {
	r.mu.Lock()
	r.skippedLocked(reason)
	r.mu.Unlock()
}

// skippedLocked is skipped for a caller holding r.mu.
func (r *run) skippedLocked(reason string) {
	r.stats.Skipped[reason]++
	if o := r.c.cfg.Observer; o != nil {
		o.Skipped(r.site.Name, reason)
	}
}

// archived counts an article put in the archive.
func (r *run) archived(ch store.Change) {
	r.count(func(st *Stats) {
		switch ch {
		case store.Created:
			st.New++
		case store.Updated:
			st.Updated++
		default:
			st.Unchanged++
		}
	})
	if o := r.c.cfg.Observer; o != nil {
		o.Archived(r.site.Name, ch)
	}
}

// roundTrip reports one HTTP exchange's duration; it counts nothing in
// Stats.
func (r *run) roundTrip(status int, dur time.Duration) {
	if o := r.c.cfg.Observer; o != nil {
		o.RoundTrip(r.site.Name, status, dur)
	}
}
