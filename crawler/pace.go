package crawler

import (
	"context"
	"sync"
	"time"
)

// pacer spaces the requests to each host: a host with delay d and
// parallelism p gets a request every d/p at most (one every d when p is
// 1), which is the rate colly's delay gives, but the wait is cut short
// when the request's context ends, so a stopped crawl does not sit out
// the delay of every request still queued.
type pacer struct {
	def  pace
	mu   sync.Mutex
	host map[string]pace      // overrides (robots.txt Crawl-delay)
	next map[string]time.Time // when each host's next request may start
}

// pace is one host's spacing.
type pace struct {
	delay       time.Duration
	parallelism int
}

func (p pace) gap() time.Duration {
	return p.delay / time.Duration(max(p.parallelism, 1))
}

func newPacer(delay time.Duration, parallelism int) *pacer {
	return &pacer{def: pace{delay, parallelism}, host: map[string]pace{}, next: map[string]time.Time{}}
}

// set gives host its own spacing.
func (p *pacer) set(host string, delay time.Duration, parallelism int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.host[host] = pace{delay, parallelism}
}

// ready returns when host may next be sent a request and how many of its
// requests may be in flight at once.
func (p *pacer) ready(host string) (time.Time, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pc, ok := p.host[host]
	if !ok {
		pc = p.def
	}
	return p.next[host], max(pc.parallelism, 1)
}

// wait blocks until host may be sent a request, or ctx ends (false).
func (p *pacer) wait(ctx context.Context, host string) bool {
	p.mu.Lock()
	pc, ok := p.host[host]
	if !ok {
		pc = p.def
	}
	now := time.Now()
	at := now
	if n := p.next[host]; n.After(now) {
		at = n
	}
	p.next[host] = at.Add(pc.gap())
	p.mu.Unlock()
	if d := at.Sub(now); d > 0 && !sleep(ctx, d) {
		return false
	}
	// The request goes now, which may be later than its slot (a busy
	// machine wakes a sleeper late): the next one waits its gap from now,
	// so that no two requests are sent closer than the gap.
	p.mu.Lock()
	if n := time.Now().Add(pc.gap()); n.After(p.next[host]) {
		p.next[host] = n
	}
	p.mu.Unlock()
	return ctx.Err() == nil
}
