package main

import (
	"context"
	"slices"
	"sync"
	"time"

	"newsarc/crawler"
	"newsarc/web"
)

// runningRun is a crawl running in the owner, with its latest counts.
type runningRun struct {
	Site    string        `json:"site"`
	Trigger string        `json:"trigger"`
	Started time.Time     `json:"started"`
	Stats   crawler.Stats `json:"stats"`
}

// liveRuns are the crawls running in this process, one per site at a time.
type liveRuns struct {
	mu sync.Mutex
	m  map[string]*runningRun
}

// start registers a crawl of site; false when one is running already.
func (l *liveRuns) start(site, trigger string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*runningRun{}
	}
	if _, ok := l.m[site]; ok {
		return false
	}
	l.m[site] = &runningRun{Site: site, Trigger: trigger, Started: time.Now()}
	return true
}

func (l *liveRuns) update(s crawler.Stats) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r, ok := l.m[s.Site]; ok {
		r.Stats = s
	}
}

func (l *liveRuns) end(site string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, site)
}

func (l *liveRuns) running(site string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.m[site]
	return ok
}

// list returns the running crawls, oldest first.
func (l *liveRuns) list() []runningRun {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]runningRun, 0, len(l.m))
	for _, r := range l.m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b runningRun) int { return a.Started.Compare(b.Started) })
	return out
}

// crawlWatcher receives a crawl's counts as it runs and when a site ends.
type crawlWatcher interface {
	update(crawler.Stats)
	done(crawler.Stats)
}

// funcWatcher is a crawlWatcher made of two functions.
type funcWatcher struct {
	onUpdate, onDone func(crawler.Stats)
}

func (w funcWatcher) update(s crawler.Stats) { w.onUpdate(s) }
func (w funcWatcher) done(s crawler.Stats)   { w.onDone(s) }

// watcher returns p as a crawlWatcher, nil when p is nil.
func watcher(p *progress) crawlWatcher {
	if p == nil {
		return nil
	}
	return p
}

// webRuns lists a's crawls for the web UI: those running now, then those
// recorded, newest first.
func webRuns(a *archive) web.RunsFunc {
	return func(ctx context.Context, limit int) ([]web.Run, error) {
		var out []web.Run
		now := time.Now()
		for _, r := range a.live.list() {
			w := statsRun(r.Stats, r.Site, r.Trigger)
			w.Started, w.Running, w.Status = r.Started, true, "running"
			if d := now.Sub(r.Started).Seconds(); d > 0 {
				w.Rate = float64(r.Stats.Fetched) / d
			}
			// What the frontier holds unfinished; before it was first
			// counted, what was handed to the fetcher and not answered.
			left := float64(r.Stats.Waiting)
			if left == 0 {
				left = float64(r.Stats.Queued - r.Stats.Fetched)
			}
			if left > 0 && w.Rate > 0 {
				w.ETASeconds = left / w.Rate
			}
			out = append(out, w)
		}
		recorded, err := readRuns(runLogPath(a.cfg))
		if err != nil {
			return nil, err
		}
		for i := len(recorded) - 1; i >= 0 && len(recorded)-i <= limit; i-- {
			r := recorded[i]
			w := statsRun(r.Stats, r.Site, r.Trigger)
			w.Started, w.Finished, w.Status, w.Error = r.Started, r.Finished, r.Status, r.Error
			if w.Status == "" {
				w.Status = "ok"
			}
			if d := r.Finished.Sub(r.Started).Seconds(); d > 0 {
				w.Rate = float64(r.Stats.Fetched) / d
			}
			out = append(out, w)
		}
		return out, nil
	}
}

func statsRun(s crawler.Stats, site, trigger string) web.Run {
	return web.Run{Site: site, Trigger: trigger, Pages: s.Fetched, Queued: s.Queued, Waiting: s.Waiting, Articles: s.Articles(),
		New: s.New, Updated: s.Updated, NotModified: s.NotModified, Errors: s.ErrorCount(), Bytes: s.Bytes}
}
