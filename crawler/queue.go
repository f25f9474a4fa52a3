package crawler

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
)

// queued is one URL waiting in a run's queue: a few words and the URL,
// where colly's asynchronous mode kept a goroutine per queued URL.
type queued struct {
	url   string
	depth int32
	// first puts the URL before the other URLs of its host (a list's
	// next page): see hostQueue.
	first bool
	// at is when a retry may be sent (Unix nanoseconds); 0 for now.
	at int64
	// retry is the request to send again, for a retry (colly's Retry
	// skips its visited check); nil for a first fetch.
	retry *colly.Request
}

// hostQueue holds the URLs of one host in the order they were found,
// those marked first (pages like lists, which lead to more URLs) ahead of
// the others.
type hostQueue struct {
	front    []queued // the URLs marked first
	items    []queued
	head     int
	inflight int // requests to the host being worked on now
	spilled  int // URLs after items, in the spill
}

func (h *hostQueue) len() int { return len(h.front) + len(h.items) - h.head }

// pop removes the first URL whose time has come, preferring the oldest.
func (h *hostQueue) pop(now int64) (queued, bool) {
	if len(h.front) > 0 {
		it := h.front[0]
		h.front[0] = queued{}
		h.front = h.front[1:]
		if len(h.front) == 0 {
			h.front = nil
		}
		return it, true
	}
	for i := h.head; i < len(h.items); i++ {
		if h.items[i].at > now {
			continue
		}
		it := h.items[i]
		if i != h.head {
			// A retry waiting at the head is passed over: move the head
			// item into the hole.
			h.items[i] = h.items[h.head]
		}
		h.items[h.head] = queued{}
		h.head++
		if h.head > 1024 && h.head*2 > len(h.items) {
			h.items = append([]queued(nil), h.items[h.head:]...)
			h.head = 0
		}
		return it, true
	}
	return queued{}, false
}

// nextAt is the earliest time one of the host's URLs may be sent.
func (h *hostQueue) nextAt() int64 {
	if len(h.front) > 0 {
		return 0
	}
	at := int64(-1)
	for i := h.head; i < len(h.items); i++ {
		if a := h.items[i].at; at < 0 || a < at {
			at = a
			if a == 0 {
				break
			}
		}
	}
	return at
}

// workQueue is a run's queue: per-host FIFO queues from which a fixed pool
// of workers takes the next URL of a host that may be sent a request now
// (its pacer slot is free and fewer of its requests are in flight than
// its parallelism), round robin over the hosts, so that one slow host
// does not hold up the others. It ends when it is empty and nothing is in
// flight (a page in flight may still queue links), or when its context
// ends.
type workQueue struct {
	pace *pacer
	// spill, when set, takes the URLs beyond memory URLs held in memory
	// (a host's URLs are held in order: once one of a host's URLs is
	// spilled, the ones after it are too, until the host's queue in
	// memory is empty and a batch is taken back). failed is told when
	// the spill fails: the URLs concerned are lost to this run (they are
	// still in the crawl state's frontier, for a resumed run).
	spill  spiller
	memory int
	failed func(error)

	mu     sync.Mutex
	hosts  map[string]*hostQueue
	order  []string // hosts in round-robin order
	next   int      // where the next round-robin scan starts
	size   int      // URLs queued, in memory or spilled
	inMem  int      // URLs queued in memory
	seq    uint64   // numbers spilled URLs
	flying int      // URLs taken and not finished
	wake   chan struct{}
}

// spiller keeps the URLs of a queue that do not fit in memory.
type spiller interface {
	spill(host string, seq uint64, items []queued) error
	unspill(host string, n int) ([]queued, error)
}

// queueMemory is how many URLs a run's queue holds in memory when it can
// spill the rest to the crawl state, and spillBatch how many of a host's
// it takes back at a time.
const (
	queueMemory = 8192
	spillBatch  = 256
)

func newWorkQueue(p *pacer) *workQueue {
	return &workQueue{pace: p, hosts: map[string]*hostQueue{}, wake: make(chan struct{})}
}

// push queues URLs of host.
func (q *workQueue) push(host string, items ...queued) {
	if len(items) == 0 {
		return
	}
	q.mu.Lock()
	h := q.hosts[host]
	if h == nil {
		h = &hostQueue{}
		q.hosts[host] = h
		q.order = append(q.order, host)
	}
	keep := items[:0:0]
	for _, it := range items {
		if it.first {
			h.front = append(h.front, it)
		} else {
			keep = append(keep, it)
		}
	}
	q.size += len(items) - len(keep)
	q.inMem += len(items) - len(keep)
	items = keep
	if q.spill != nil && len(items) > 0 && items[0].retry == nil {
		n := 0 // how many stay in memory
		if h.spilled == 0 {
			n = min(len(items), max(q.memory-q.inMem, 0))
		}
		if rest := items[n:]; len(rest) > 0 {
			if err := q.spill.spill(host, q.seq, rest); err != nil {
				q.failed(err)
			} else {
				q.seq += uint64(len(rest))
				h.spilled += len(rest)
				q.size += len(rest)
			}
		}
		keep = items[:n]
	}
	h.items = append(h.items, keep...)
	q.size += len(keep)
	q.inMem += len(keep)
	q.signalLocked()
	q.mu.Unlock()
}

// signalLocked wakes every waiting worker.
func (q *workQueue) signalLocked() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// take returns the next URL to fetch and its host, waiting while every
// host with queued URLs is busy or paced; false when the queue is done or
// ctx ends. Each URL taken must be given back to finish.
func (q *workQueue) take(ctx context.Context) (queued, string, bool) {
	for {
		q.mu.Lock()
		if q.size == 0 && q.flying == 0 {
			q.mu.Unlock()
			return queued{}, "", false
		}
		now := time.Now()
		wait := time.Duration(-1)
		for i := range q.order {
			k := (q.next + i) % len(q.order)
			host := q.order[k]
			h := q.hosts[host]
			if h.len() == 0 && h.spilled == 0 {
				continue
			}
			limit := 1
			var ready time.Time
			if q.pace != nil {
				ready, limit = q.pace.ready(host)
			}
			if h.inflight >= limit {
				continue
			}
			if d := ready.Sub(now); d > 0 {
				if wait < 0 || d < wait {
					wait = d
				}
				continue
			}
			if h.len() == 0 {
				q.unspillLocked(host, h)
			}
			it, ok := h.pop(now.UnixNano())
			if !ok && h.spilled > 0 {
				// Only retries waiting in memory: the spilled URLs go first.
				q.unspillLocked(host, h)
				it, ok = h.pop(now.UnixNano())
			}
			if !ok {
				if at := h.nextAt(); at > 0 {
					if d := time.Duration(at - now.UnixNano()); wait < 0 || d < wait {
						wait = d
					}
				}
				continue
			}
			h.inflight++
			q.size--
			q.inMem--
			q.flying++
			q.next = (k + 1) % len(q.order)
			q.mu.Unlock()
			return it, host, true
		}
		wake := q.wake
		q.mu.Unlock()
		var timer *time.Timer
		var fire <-chan time.Time
		if wait >= 0 {
			timer = time.NewTimer(max(wait, time.Millisecond))
			fire = timer.C
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return queued{}, "", false
		}
	}
}

// unspillLocked takes a batch of host's spilled URLs back into memory.
func (q *workQueue) unspillLocked(host string, h *hostQueue) {
	items, err := q.spill.unspill(host, min(spillBatch, h.spilled))
	if err != nil {
		q.failed(err)
		q.size -= h.spilled
		h.spilled = 0
		return
	}
	if len(items) == 0 {
		// Nothing there (it cannot be read back): given up.
		q.size -= h.spilled
		h.spilled = 0
		return
	}
	h.items = append(h.items, items...)
	h.spilled -= len(items)
	q.inMem += len(items)
}

// finish gives back a URL taken from host once its page is done (its
// links queued).
func (q *workQueue) finish(host string) {
	q.mu.Lock()
	if h := q.hosts[host]; h != nil {
		h.inflight--
		if h.len() == 0 && h.spilled == 0 && h.inflight == 0 {
			// Drop an empty host, keeping the round robin's place.
			delete(q.hosts, host)
			for i, o := range q.order {
				if o == host {
					q.order = append(q.order[:i], q.order[i+1:]...)
					if q.next > i {
						q.next--
					}
					break
				}
			}
			if len(q.order) > 0 {
				q.next %= len(q.order)
			} else {
				q.next = 0
			}
		}
	}
	q.flying--
	q.signalLocked()
	q.mu.Unlock()
}

// len is the number of URLs queued, not counting those in flight.
func (q *workQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.size
}

// urlSet is a set of URLs kept as 64-bit FNV-1a hashes: 8 bytes a URL
// instead of the URL, for the sets a run keeps of every URL it meets. Two
// URLs of one run share a hash with a chance of about n²/2⁶⁵ (3 in 100
// million at a million URLs); the later one would then be taken for seen.
type urlSet map[uint64]struct{}

func urlHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func (s urlSet) has(u string) bool {
	_, ok := s[urlHash(u)]
	return ok
}

func (s urlSet) add(u string) { s[urlHash(u)] = struct{}{} }
