// Package boltfrontier is the embedded crawl frontier: a bbolt file owned
// by one process. The queue is paged: each Lease reads one host's batch
// with a cursor, and nothing but one small record per host is held in
// memory, so the process stays small however long the queue grows.
//
// Layout (buckets):
//
//	runs          site → run JSON (the crawler's crawl-state record)
//	pages/SITE    url → PageState JSON (the crawler's crawl-state record)
//	seen/SITE     16 bytes of sha256(url) → "" (the run's seen set)
//	fq            host 0x00 class due seq → packed entry (the queue)
//	fl            host 0x00 url → queue key length, queue key, packed entry (leased)
//	hosts         host → next slot (unix ms), delay (ms, -1: the default)
//	sitehosts     site 0x00 host → ""
//	counts        site 0x00 name → int64
//	seeded        site 0x00 run → ""
//	budget/SITE   0x01 name → places taken; 0x02 name 0x00 url digest → ""
//
// A queue key's class orders a host's URLs: 0, retries, by due time; then
// 1, high priority, and 2, normal, each first in first out. Leases live in
// memory: when the process ends they end with it, and the next Open puts
// their URLs back in the queue.
package boltfrontier

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsarc/crawler/frontier"
)

var (
	bRuns      = []byte("runs")
	bQueue     = []byte("fq")
	bLeased    = []byte("fl")
	bHosts     = []byte("hosts")
	bSiteHosts = []byte("sitehosts")
	bCounts    = []byte("counts")
	bSeeded    = []byte("seeded")
)

func pagesBucket(site string) []byte { return []byte("pages/" + site) }
func seenBucket(site string) []byte  { return []byte("seen/" + site) }

// budgetBucket holds the budgets of site's current run: 0x01 name → the
// places taken (int64), 0x02 name 0x00 SeenKey(url) → "".
func budgetBucket(site string) []byte { return []byte("budget/" + site) }

// Queue key classes.
const (
	classRetry  byte = 0
	classHigh   byte = 1
	classNormal byte = 2
)

// Frontier is the bbolt frontier.
type Frontier struct {
	db   *bolt.DB
	opts frontier.Options
	log  *slog.Logger

	mu     sync.Mutex
	closed bool
	hosts  map[string]*host
	asked  map[string]time.Time // worker → when it last found no host to lease
	epoch  string               // makes lease IDs unique across opens
	seq    uint64
}

// host is what is kept in memory of one host.
type host struct {
	name    string
	next    time.Time     // its politeness slot: no lease begins before
	delay   time.Duration // -1: the default
	queued  bool          // it has URLs in the queue
	readyAt time.Time     // when its first queued URL is due (zero: now)
	since   time.Time     // when it was last found or given queued URLs, having none
	lease   *held
}

// held is a lease in force.
type held struct {
	id       string
	worker   string
	at       time.Time
	deadline time.Time
}

var _ frontier.Frontier = (*Frontier)(nil)

// Open opens (creating) the frontier file at path. Leases left by an
// earlier process are ended: their URLs go back to the queue.
func Open(path string, opts frontier.Options, log *slog.Logger) (*Frontier, error) {
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("%w: %s", frontier.ErrLocked, path)
		}
		return nil, fmt.Errorf("frontier: open %s: %w", path, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &Frontier{db: db, opts: opts.WithDefaults(), log: log, hosts: map[string]*host{},
		asked: map[string]time.Time{}, epoch: strconv.FormatInt(time.Now().UnixNano(), 36)}
	if err := f.safely(f.load); err != nil {
		if cerr := f.safely(db.Close); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return nil, fmt.Errorf("frontier: open %s: %w", path, err)
	}
	return f, nil
}

// safely runs fn, a call into bbolt, turning a panic into an error
// wrapping frontier.ErrCorrupt: bbolt panics on some damaged pages (an
// invalid page type, a page out of bounds), and a damaged file must stop
// the crawl with an error, not the process.
func (f *Frontier) safely(fn func() error) (err error) {
	// A damaged page's child pointer can lead past the mapped file: the
	// fault becomes a panic, recovered below, instead of killing the
	// process.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s: %v", frontier.ErrCorrupt, f.db.Path(), p)
		}
	}()
	return fn()
}

// batch is f.db.Batch, safely. (bbolt runs a batched function that
// panicked again alone, in the caller's goroutine, where this recovers.)
func (f *Frontier) batch(fn func(*bolt.Tx) error) error {
	return f.safely(func() error {
		return f.db.Batch(func(tx *bolt.Tx) error {
			// bbolt may run fn in a goroutine of its own: there too a
			// fault must be a panic, which bbolt recovers.
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			return fn(tx)
		})
	})
}

// view is f.db.View, safely.
func (f *Frontier) view(fn func(*bolt.Tx) error) error {
	return f.safely(func() error { return f.db.View(fn) })
}

// load creates the buckets, returns the leased URLs of a past process to
// the queue and reads the hosts into memory.
func (f *Frontier) load() error {
	now := time.Now()
	return f.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bRuns, bQueue, bLeased, bHosts, bSiteHosts, bCounts, bSeeded} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		fl, fq := tx.Bucket(bLeased), tx.Bucket(bQueue)
		var keys [][]byte
		returned := 0
		if err := fl.ForEach(func(k, v []byte) error {
			qk, packed, err := splitLeased(v)
			if err != nil {
				return err
			}
			keys = append(keys, bytes.Clone(k))
			returned++
			return fq.Put(qk, packed)
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := fl.Delete(k); err != nil {
				return err
			}
		}
		// Nothing is leased now.
		cb := tx.Bucket(bCounts)
		var zero [][]byte
		if err := cb.ForEach(func(k, _ []byte) error {
			if bytes.HasSuffix(k, []byte("\x00leased")) {
				zero = append(zero, bytes.Clone(k))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range zero {
			if err := cb.Put(k, i64(0)); err != nil {
				return err
			}
		}
		if returned > 0 {
			f.log.Info("frontier: leases of an earlier process ended", "urls", returned)
		}
		return tx.Bucket(bHosts).ForEach(func(k, v []byte) error {
			h := &host{name: string(k), delay: -1}
			if len(v) == 16 {
				h.next = time.UnixMilli(int64(binary.BigEndian.Uint64(v)))
				h.delay = time.Duration(int64(binary.BigEndian.Uint64(v[8:]))) * time.Millisecond
				if int64(binary.BigEndian.Uint64(v[8:])) < 0 {
					h.delay = -1
				}
			}
			h.queued, h.readyAt = head(tx, h.name, now)
			h.since = now
			f.hosts[h.name] = h
			return nil
		})
	})
}

// Close closes the file.
func (f *Frontier) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	if err := f.db.Close(); err != nil {
		return fmt.Errorf("frontier: close: %w", err)
	}
	return nil
}

// update runs fn in a write transaction under f.mu, which the caller holds.
func (f *Frontier) update(fn func(*bolt.Tx) error) error {
	if f.closed {
		return frontier.ErrClosed
	}
	return f.safely(func() error { return f.db.Update(fn) })
}

func i64(n int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(n)) }

// count adds delta to site's counter name.
func count(tx *bolt.Tx, site, name string, delta int64) error {
	b := tx.Bucket(bCounts)
	k := []byte(site + "\x00" + name)
	var n int64
	if v := b.Get(k); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	return b.Put(k, i64(n+delta))
}

// queueKey is an entry's key in fq.
func queueKey(hostName string, class byte, due time.Time, seq uint64) []byte {
	k := make([]byte, 0, len(hostName)+18)
	k = append(k, hostName...)
	k = append(k, 0, class)
	var ms int64
	if class == classRetry {
		ms = due.UnixMilli()
	}
	k = binary.BigEndian.AppendUint64(k, uint64(ms))
	return binary.BigEndian.AppendUint64(k, seq)
}

func leasedKey(hostName, site, url string) []byte {
	return []byte(hostName + "\x00" + site + "\x1f" + url)
}

func leasedValue(qk []byte, packed string) []byte {
	v := binary.BigEndian.AppendUint16(nil, uint16(len(qk)))
	v = append(v, qk...)
	return append(v, packed...)
}

func splitLeased(v []byte) (qk, packed []byte, err error) {
	if len(v) < 2 || len(v) < 2+int(binary.BigEndian.Uint16(v)) {
		return nil, nil, errors.New("damaged leased entry")
	}
	n := 2 + int(binary.BigEndian.Uint16(v))
	return bytes.Clone(v[2:n]), bytes.Clone(v[n:]), nil
}

// head reports whether host has queued URLs, and when the first is due
// (zero: now).
func head(tx *bolt.Tx, hostName string, now time.Time) (bool, time.Time) {
	c := tx.Bucket(bQueue).Cursor()
	prefix := append([]byte(hostName), 0)
	k, _ := c.Seek(prefix)
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return false, time.Time{}
	}
	if k[len(prefix)] != classRetry {
		return true, time.Time{}
	}
	due := time.UnixMilli(int64(binary.BigEndian.Uint64(k[len(prefix)+1:])))
	if !due.After(now) {
		return true, time.Time{}
	}
	if k, _ := c.Seek(append(prefix, classHigh)); k != nil && bytes.HasPrefix(k, prefix) {
		return true, time.Time{}
	}
	return true, due
}

// putHost stores h's slot and delay.
func putHost(tx *bolt.Tx, h *host) error {
	v := binary.BigEndian.AppendUint64(nil, uint64(h.next.UnixMilli()))
	d := int64(-1)
	if h.delay >= 0 {
		d = h.delay.Milliseconds()
	}
	return tx.Bucket(bHosts).Put([]byte(h.name), binary.BigEndian.AppendUint64(v, uint64(d)))
}

func (f *Frontier) delayOf(h *host) time.Duration {
	if h.delay >= 0 {
		return h.delay
	}
	return f.opts.Delay
}

// hostFor returns the in-memory record of name, making one.
func (f *Frontier) hostFor(name string) *host {
	h := f.hosts[name]
	if h == nil {
		h = &host{name: name, delay: -1}
		f.hosts[name] = h
	}
	return h
}

// BeginRun implements frontier.Frontier.
func (f *Frontier) BeginRun(ctx context.Context, site string) (frontier.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var run frontier.Run
	err := f.update(func(tx *bolt.Tx) error {
		runs := tx.Bucket(bRuns)
		run = frontier.Run{}
		if b := runs.Get([]byte(site)); b != nil {
			if err := json.Unmarshal(b, &run); err != nil {
				return err
			}
		}
		if run.ID != 0 && !run.Finished {
			run.Resumed = true
			return nil
		}
		run = frontier.Run{ID: run.ID + 1, Started: time.Now()}
		for _, b := range [][]byte{seenBucket(site), budgetBucket(site)} {
			if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
				return err
			}
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
		return frontier.Run{}, fmt.Errorf("frontier: begin run of %s: %w", site, err)
	}
	return run, nil
}

// FinishRun implements frontier.Frontier.
func (f *Frontier) FinishRun(ctx context.Context, site string, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	type upd struct {
		h       *host
		queued  bool
		readyAt time.Time
	}
	var upds []upd
	end := &ending{f: f, now: now, hs: map[*host]endState{}}
	err := f.update(func(tx *bolt.Tx) error {
		upds = upds[:0]
		clear(end.hs)
		runs := tx.Bucket(bRuns)
		var run frontier.Run
		if b := runs.Get([]byte(site)); b != nil {
			if err := json.Unmarshal(b, &run); err != nil {
				return err
			}
		}
		if run.ID != id || run.Finished {
			return nil
		}
		run.Finished = true
		b, err := json.Marshal(run)
		if err != nil {
			return err
		}
		if err := runs.Put([]byte(site), b); err != nil {
			return err
		}
		// Drop what is left of the site's queue, leased or not.
		sh := tx.Bucket(bSiteHosts)
		prefix := []byte(site + "\x00")
		var hostNames []string
		c := sh.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			hostNames = append(hostNames, string(k[len(prefix):]))
		}
		for _, hn := range hostNames {
			for _, name := range [][]byte{bQueue, bLeased} {
				b := tx.Bucket(name)
				hp := append([]byte(hn), 0)
				var del [][]byte
				c := b.Cursor()
				for k, v := c.Seek(hp); k != nil && bytes.HasPrefix(k, hp); k, v = c.Next() {
					packed := v
					if bytes.Equal(name, bLeased) {
						if _, packed, err = splitLeased(v); err != nil {
							return err
						}
					}
					e, err := frontier.Unpack(string(packed))
					if err != nil {
						return err
					}
					if e.Site == site {
						del = append(del, bytes.Clone(k))
					}
				}
				for _, k := range del {
					if err := b.Delete(k); err != nil {
						return err
					}
				}
			}
			if err := sh.Delete([]byte(site + "\x00" + hn)); err != nil {
				return err
			}
			if h := f.hosts[hn]; h != nil {
				q, r := head(tx, hn, now)
				upds = append(upds, upd{h, q, r})
				if h.lease != nil {
					if err := end.check(tx, h); err != nil {
						return err
					}
				}
			}
		}
		for _, n := range []string{"pending", "leased"} {
			if err := tx.Bucket(bCounts).Put([]byte(site+"\x00"+n), i64(0)); err != nil {
				return err
			}
		}
		for _, b := range [][]byte{seenBucket(site), budgetBucket(site)} {
			if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("frontier: finish run of %s: %w", site, err)
	}
	for _, u := range upds {
		u.h.queued, u.h.readyAt = u.queued, u.readyAt
	}
	end.apply()
	return nil
}

// Seed implements frontier.Frontier.
func (f *Frontier) Seed(ctx context.Context, site string, run int64, entries []frontier.Entry) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range entries {
		if err := entries[i].Normalize(); err != nil {
			return false, err
		}
	}
	seeded := false
	var got []string
	snap := f.hostsOf(entries)
	err := f.update(func(tx *bolt.Tx) error {
		k := []byte(site + "\x00" + strconv.FormatInt(run, 10))
		b := tx.Bucket(bSeeded)
		if b.Get(k) != nil {
			return nil
		}
		seeded = true
		if err := b.Put(k, present); err != nil {
			return err
		}
		var err error
		_, got, err = enqueueTx(tx, entries, snap)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("frontier: seed %s: %w", site, err)
	}
	f.queuedOn(got)
	return seeded, nil
}

// Enqueue implements frontier.Frontier.
func (f *Frontier) Enqueue(ctx context.Context, entries ...frontier.Entry) ([]bool, error) {
	for i := range entries {
		if err := entries[i].Normalize(); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, frontier.ErrClosed
	}
	snap := f.hostsOf(entries)
	f.mu.Unlock()
	// The queue's transaction runs without f.mu, in bbolt's batches, so
	// that the links of pages fetched at the same time share one
	// transaction and one fsync. A batched function may run twice (its
	// batch failed): it sets its results afresh. The hosts are marked
	// queued under f.mu once it committed: a Lease or a Done that found
	// a host's queue empty before, and said so under f.mu, is corrected.
	var isNew []bool
	var got []string
	err := f.batch(func(tx *bolt.Tx) error {
		var err error
		isNew, got, err = enqueueTx(tx, entries, snap)
		return err
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return nil, frontier.ErrClosed
	}
	if err != nil {
		return nil, fmt.Errorf("frontier: enqueue: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queuedOn(got)
	return isNew, nil
}

// hostsOf returns a copy of the in-memory record of each host of entries,
// making the missing ones. The caller holds f.mu.
func (f *Frontier) hostsOf(entries []frontier.Entry) map[string]host {
	snap := make(map[string]host, 1)
	for _, e := range entries {
		if _, ok := snap[e.Host]; !ok {
			snap[e.Host] = *f.hostFor(e.Host)
		}
	}
	return snap
}

// queuedOn marks hosts that were given URLs due now. The caller holds
// f.mu.
func (f *Frontier) queuedOn(names []string) {
	for _, name := range names {
		h := f.hostFor(name)
		if !h.queued {
			h.since = time.Now()
		}
		h.queued, h.readyAt = true, time.Time{}
	}
}

// enqueueTx queues the new entries; it returns which were new and the
// hosts that got one. hosts holds a copy of each entry's host record, for
// the hosts not yet stored; the queued flags of the hosts are the
// caller's to set once tx commits.
func enqueueTx(tx *bolt.Tx, entries []frontier.Entry, hosts map[string]host) ([]bool, []string, error) {
	isNew := make([]bool, len(entries))
	fq := tx.Bucket(bQueue)
	var hs []string
	got := map[string]bool{}
	for i, e := range entries {
		seen, err := tx.CreateBucketIfNotExists(seenBucket(e.Site))
		if err != nil {
			return nil, nil, err
		}
		sk := []byte(frontier.SeenKey(e.URL))
		if seen.Get(sk) != nil {
			continue
		}
		if err := seen.Put(sk, present); err != nil {
			return nil, nil, err
		}
		isNew[i] = true
		seq, err := fq.NextSequence()
		if err != nil {
			return nil, nil, err
		}
		class := classNormal
		if e.Priority >= frontier.PriorityHigh {
			class = classHigh
		}
		if err := fq.Put(queueKey(e.Host, class, time.Time{}, seq), []byte(e.Pack())); err != nil {
			return nil, nil, err
		}
		if err := count(tx, e.Site, "pending", 1); err != nil {
			return nil, nil, err
		}
		if !got[e.Host] {
			got[e.Host] = true
			hs = append(hs, e.Host)
			if tx.Bucket(bHosts).Get([]byte(e.Host)) == nil {
				h := hosts[e.Host]
				if err := putHost(tx, &h); err != nil {
					return nil, nil, err
				}
			}
		}
		if err := tx.Bucket(bSiteHosts).Put([]byte(e.Site+"\x00"+e.Host), present); err != nil {
			return nil, nil, err
		}
	}
	return isNew, hs, nil
}

// reclaim ends the leases past their deadline: their URLs go back to
// the queue. The caller holds f.mu.
func (f *Frontier) reclaim(now time.Time) error {
	var expired []*host
	for _, h := range f.hosts {
		if h.lease != nil && now.After(h.lease.deadline) {
			expired = append(expired, h)
		}
	}
	if len(expired) == 0 {
		return nil
	}
	type upd struct {
		queued  bool
		readyAt time.Time
	}
	upds := make([]upd, len(expired))
	err := f.update(func(tx *bolt.Tx) error {
		for i, h := range expired {
			n, err := returnLeased(tx, h.name)
			if err != nil {
				return err
			}
			f.log.Warn("frontier: lease expired", "host", h.name, "worker", h.lease.worker, "urls", n)
			h2 := *h
			h2.next = maxTime(h.next, now.Add(f.delayOf(h)))
			if err := putHost(tx, &h2); err != nil {
				return err
			}
			upds[i].queued, upds[i].readyAt = head(tx, h.name, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("frontier: reclaim leases: %w", err)
	}
	for i, h := range expired {
		h.lease = nil
		h.next = maxTime(h.next, now.Add(f.delayOf(h)))
		h.queued, h.readyAt = upds[i].queued, upds[i].readyAt
	}
	return nil
}

// returnLeased puts host's leased URLs back where they were in the queue.
func returnLeased(tx *bolt.Tx, hostName string) (int, error) {
	fl, fq := tx.Bucket(bLeased), tx.Bucket(bQueue)
	prefix := append([]byte(hostName), 0)
	var keys [][]byte
	c := fl.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		qk, packed, err := splitLeased(v)
		if err != nil {
			return 0, err
		}
		e, err := frontier.Unpack(string(packed))
		if err != nil {
			return 0, err
		}
		if err := count(tx, e.Site, "leased", -1); err != nil {
			return 0, err
		}
		if err := fq.Put(qk, packed); err != nil {
			return 0, err
		}
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := fl.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// readyTime is when h may be leased.
func (h *host) readyTime() time.Time { return maxTime(h.next, h.readyAt) }

// Lease implements frontier.Frontier.
func (f *Frontier) Lease(ctx context.Context, worker string, n int, avoid ...string) (*frontier.Lease, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n = max(n, 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, frontier.ErrClosed
	}
	now := time.Now()
	if err := f.reclaim(now); err != nil {
		return nil, err
	}
	tried := map[string]bool{}
	for _, a := range avoid {
		tried[a] = true
	}
	for {
		var pick *host
		for _, h := range f.hosts {
			if h.lease != nil || !h.queued || tried[h.name] || h.readyTime().After(now) {
				continue
			}
			if pick == nil || h.readyTime().Before(pick.readyTime()) ||
				h.readyTime().Equal(pick.readyTime()) && h.name < pick.name {
				pick = h
			}
		}
		if pick == nil {
			f.asked[worker] = now
			return f.emptyLease(avoid), nil
		}
		tried[pick.name] = true
		l, err := f.take(pick, worker, n, now)
		if err != nil {
			return nil, fmt.Errorf("frontier: lease: %w", err)
		}
		if l != nil {
			return l, nil
		}
	}
}

// emptyLease says when a host will be ready, and how many are leased or
// avoided.
func (f *Frontier) emptyLease(avoid []string) *frontier.Lease {
	l := &frontier.Lease{}
	for _, h := range f.hosts {
		if h.lease != nil || h.queued && slices.Contains(avoid, h.name) {
			l.Busy++
			continue
		}
		if h.queued && (l.Next.IsZero() || h.readyTime().Before(l.Next)) {
			l.Next = h.readyTime()
		}
	}
	return l
}

// take leases h to worker with up to max of its due URLs; nil when it has
// none due.
func (f *Frontier) take(h *host, worker string, n int, now time.Time) (*frontier.Lease, error) {
	entries, err := f.takeFrom(h, n, now)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	delay := f.delayOf(h)
	f.seq++
	hl := &held{id: f.epoch + "-" + strconv.FormatUint(f.seq, 36), worker: worker, at: now, deadline: now.Add(f.opts.LeaseTTL)}
	h.lease = hl
	return &frontier.Lease{ID: hl.id, Host: h.name, Worker: worker, Entries: entries, Delay: delay,
		At: now, Deadline: hl.deadline}, nil
}

// takeFrom moves up to n of h's due URLs to its leased ones, in one
// transaction, and records what is left in h's queue; when it took any,
// h's politeness slot moves to its delay from now, as at a lease's start.
func (f *Frontier) takeFrom(h *host, n int, now time.Time) ([]frontier.Entry, error) {
	var entries []frontier.Entry
	var queued bool
	var readyAt time.Time
	delay := f.delayOf(h)
	err := f.update(func(tx *bolt.Tx) error {
		var err error
		if entries, err = takeTx(tx, h.name, n, now); err != nil {
			return err
		}
		queued, readyAt = head(tx, h.name, now)
		if len(entries) == 0 {
			return nil
		}
		h2 := *h
		h2.next = now.Add(delay)
		return putHost(tx, &h2)
	})
	if err != nil {
		return nil, err
	}
	h.queued, h.readyAt = queued, readyAt
	if len(entries) > 0 {
		h.next = now.Add(delay)
	}
	return entries, nil
}

// takeTx moves up to n of host's due URLs from the queue to its leased
// URLs: due retries first, then high priority, then normal.
func takeTx(tx *bolt.Tx, hostName string, n int, now time.Time) ([]frontier.Entry, error) {
	var entries []frontier.Entry
	fq, fl := tx.Bucket(bQueue), tx.Bucket(bLeased)
	prefix := append([]byte(hostName), 0)
	var taken [][]byte
	c := fq.Cursor()
	for _, class := range []byte{classRetry, classHigh, classNormal} {
		p := append(bytes.Clone(prefix), class)
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p) && len(entries) < n; k, v = c.Next() {
			if class == classRetry && time.UnixMilli(int64(binary.BigEndian.Uint64(k[len(p):]))).After(now) {
				break
			}
			e, err := frontier.Unpack(string(v))
			if err != nil {
				return nil, err
			}
			entries = append(entries, e)
			taken = append(taken, bytes.Clone(k))
			if err := fl.Put(leasedKey(hostName, e.Site, e.URL), leasedValue(k, string(v))); err != nil {
				return nil, err
			}
			if err := count(tx, e.Site, "leased", 1); err != nil {
				return nil, err
			}
		}
	}
	for _, k := range taken {
		if err := fq.Delete(k); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

// Extend implements frontier.Frontier.
func (f *Frontier) Extend(ctx context.Context, l *frontier.Lease, n int) (frontier.Extension, error) {
	if err := ctx.Err(); err != nil {
		return frontier.Extension{}, err
	}
	n = max(n, 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return frontier.Extension{}, frontier.ErrClosed
	}
	now := time.Now()
	if err := f.reclaim(now); err != nil {
		return frontier.Extension{}, err
	}
	h := f.holds(l)
	if h == nil {
		return frontier.Extension{}, frontier.ErrLeaseLost
	}
	entries, err := f.takeFrom(h, n, now)
	if err != nil {
		return frontier.Extension{}, fmt.Errorf("frontier: extend: %w", err)
	}
	h.lease.deadline = now.Add(f.opts.LeaseTTL)
	var waiting time.Time
	for _, o := range f.hosts {
		if o.lease != nil || !o.queued || o.readyTime().After(now) {
			continue
		}
		// Ready since its slot or its first due URL, or since it was
		// given URLs, whichever came last.
		if since := maxTime(o.readyTime(), o.since); waiting.IsZero() || since.Before(waiting) {
			waiting = since
		}
	}
	var asked time.Time
	for w, at := range f.asked {
		if w != h.lease.worker && at.After(asked) {
			asked = at
		}
	}
	return frontier.Extension{Entries: entries, Deadline: h.lease.deadline, Waiting: waiting, Asked: asked}, nil
}

// holds returns l's host when l is its lease in force.
func (f *Frontier) holds(l *frontier.Lease) *host {
	if l == nil {
		return nil
	}
	h := f.hosts[l.Host]
	if h == nil || h.lease == nil || h.lease.id != l.ID {
		return nil
	}
	return h
}

// Renew implements frontier.Frontier.
func (f *Frontier) Renew(ctx context.Context, l *frontier.Lease) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return frontier.ErrClosed
	}
	now := time.Now()
	if err := f.reclaim(now); err != nil {
		return err
	}
	h := f.holds(l)
	if h == nil {
		return frontier.ErrLeaseLost
	}
	h.lease.deadline = now.Add(f.opts.LeaseTTL)
	l.Deadline = h.lease.deadline
	return nil
}

// finishTx takes url off h's leased URLs; it returns its entry, or false
// when h's lease does not hold it.
func finishTx(tx *bolt.Tx, h *host, site, url string) (frontier.Entry, bool, error) {
	fl := tx.Bucket(bLeased)
	k := leasedKey(h.name, site, url)
	v := fl.Get(k)
	if v == nil {
		return frontier.Entry{}, false, nil
	}
	_, packed, err := splitLeased(v)
	if err != nil {
		return frontier.Entry{}, false, err
	}
	e, err := frontier.Unpack(string(packed))
	if err != nil {
		return frontier.Entry{}, false, err
	}
	if err := fl.Delete(k); err != nil {
		return frontier.Entry{}, false, err
	}
	return e, true, count(tx, e.Site, "leased", -1)
}

// leasedLeft reports whether host has leased URLs.
func leasedLeft(tx *bolt.Tx, hostName string) bool {
	prefix := append([]byte(hostName), 0)
	k, _ := tx.Bucket(bLeased).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// ending collects the leases a transaction ends, to apply once it commits.
type ending struct {
	f   *Frontier
	now time.Time
	hs  map[*host]endState
}

type endState struct {
	queued  bool
	readyAt time.Time
}

// check ends h's lease in tx when it holds no URL any more.
func (e *ending) check(tx *bolt.Tx, h *host) error {
	if _, ok := e.hs[h]; ok || leasedLeft(tx, h.name) {
		return nil
	}
	h2 := *h
	h2.next = maxTime(h.next, e.now.Add(e.f.delayOf(h)))
	if err := putHost(tx, &h2); err != nil {
		return err
	}
	q, r := head(tx, h.name, e.now)
	e.hs[h] = endState{q, r}
	return nil
}

func (e *ending) apply() {
	for h, s := range e.hs {
		h.lease = nil
		h.next = maxTime(h.next, e.now.Add(e.f.delayOf(h)))
		h.queued, h.readyAt = s.queued, s.readyAt
	}
}

// putPages writes records under site.
func putPages(tx *bolt.Tx, site string, recs []frontier.Record) error {
	if len(recs) == 0 {
		return nil
	}
	pb, err := tx.CreateBucketIfNotExists(pagesBucket(site))
	if err != nil {
		return err
	}
	for _, r := range recs {
		b, err := json.Marshal(r.State)
		if err != nil {
			return err
		}
		if err := pb.Put([]byte(r.URL), b); err != nil {
			return err
		}
	}
	return nil
}

// Done implements frontier.Frontier.
func (f *Frontier) Done(ctx context.Context, outs ...frontier.Outcome) ([]bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ok := make([]bool, len(outs))
	end := &ending{f: f, now: time.Now(), hs: map[*host]endState{}}
	err := f.update(func(tx *bolt.Tx) error {
		clear(end.hs)
		for i, o := range outs {
			site := o.Site
			if site == "" {
				site = o.Lease.SiteOf(o.URL)
			}
			if h := f.holds(o.Lease); h != nil {
				e, held, err := finishTx(tx, h, site, o.URL)
				if err != nil {
					return err
				}
				if held {
					ok[i] = true
					if err := count(tx, e.Site, "pending", -1); err != nil {
						return err
					}
					if err := count(tx, e.Site, "done", 1); err != nil {
						return err
					}
					if err := end.check(tx, h); err != nil {
						return err
					}
				} else {
					ok[i] = false
				}
			}
			if len(o.Records) > 0 && site == "" {
				return fmt.Errorf("records of %s: no site", o.URL)
			}
			if err := putPages(tx, site, o.Records); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("frontier: done: %w", err)
	}
	end.apply()
	return ok, nil
}

// Retry implements frontier.Frontier.
func (f *Frontier) Retry(ctx context.Context, l *frontier.Lease, url string, at time.Time) error {
	return f.finishOne(l, url, "retry", func(tx *bolt.Tx, e frontier.Entry) error {
		e.Attempt++
		fq := tx.Bucket(bQueue)
		seq, err := fq.NextSequence()
		if err != nil {
			return err
		}
		if err := fq.Put(queueKey(e.Host, classRetry, at, seq), []byte(e.Pack())); err != nil {
			return err
		}
		return count(tx, e.Site, "retried", 1)
	})
}

// Drop implements frontier.Frontier.
func (f *Frontier) Drop(ctx context.Context, l *frontier.Lease, url, reason string) error {
	return f.finishOne(l, url, "drop", func(tx *bolt.Tx, e frontier.Entry) error {
		if err := count(tx, e.Site, "pending", -1); err != nil {
			return err
		}
		return count(tx, e.Site, "dropped:"+reason, 1)
	})
}

// finishOne takes url off l and runs fn on its entry in the same
// transaction.
func (f *Frontier) finishOne(l *frontier.Lease, url, what string, fn func(*bolt.Tx, frontier.Entry) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.holds(l)
	if h == nil {
		return frontier.ErrLeaseLost
	}
	end := &ending{f: f, now: time.Now(), hs: map[*host]endState{}}
	held := false
	err := f.update(func(tx *bolt.Tx) error {
		clear(end.hs)
		e, ok, err := finishTx(tx, h, l.SiteOf(url), url)
		if err != nil || !ok {
			return err
		}
		held = true
		if err := fn(tx, e); err != nil {
			return err
		}
		return end.check(tx, h)
	})
	if err != nil {
		return fmt.Errorf("frontier: %s %s: %w", what, url, err)
	}
	if !held {
		return frontier.ErrLeaseLost
	}
	end.apply()
	return nil
}

// Release implements frontier.Frontier.
func (f *Frontier) Release(ctx context.Context, l *frontier.Lease) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.holds(l)
	if h == nil {
		return nil
	}
	end := &ending{f: f, now: time.Now(), hs: map[*host]endState{}}
	err := f.update(func(tx *bolt.Tx) error {
		clear(end.hs)
		if _, err := returnLeased(tx, h.name); err != nil {
			return err
		}
		return end.check(tx, h)
	})
	if err != nil {
		return fmt.Errorf("frontier: release: %w", err)
	}
	end.apply()
	return nil
}

// SetDelay implements frontier.Frontier.
func (f *Frontier) SetDelay(ctx context.Context, hostName string, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.hostFor(hostName)
	old := h.delay
	h.delay = max(d, 0)
	if err := f.update(func(tx *bolt.Tx) error { return putHost(tx, h) }); err != nil {
		h.delay = old
		return fmt.Errorf("frontier: set delay of %s: %w", hostName, err)
	}
	return nil
}

// Page implements frontier.Frontier.
func (f *Frontier) Page(ctx context.Context, site, url string) (frontier.PageState, bool, error) {
	var p frontier.PageState
	var ok bool
	err := f.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(pagesBucket(site))
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(url)); v != nil {
			ok = true
			return json.Unmarshal(v, &p)
		}
		return nil
	})
	if err != nil {
		return frontier.PageState{}, false, fmt.Errorf("frontier: page %s: %w", url, err)
	}
	return p, ok, nil
}

// Claim implements frontier.Frontier.
func (f *Frontier) Claim(ctx context.Context, site string, run int64, budget, url string, limit int) (bool, error) {
	if err := frontier.CheckBudget(budget); err != nil {
		return false, err
	}
	f.mu.Lock()
	closed := f.closed
	f.mu.Unlock()
	if closed {
		return false, frontier.ErrClosed
	}
	// A claim touches no state held in memory: it runs without f.mu, in
	// bbolt's batches, so that the claims of concurrent fetches share one
	// transaction and one fsync. A batched function may run twice (its
	// batch failed): it sets ok afresh.
	ok := false
	err := f.batch(func(tx *bolt.Tx) error {
		ok = false
		var cur frontier.Run
		if b := tx.Bucket(bRuns).Get([]byte(site)); b != nil {
			if err := json.Unmarshal(b, &cur); err != nil {
				return err
			}
		}
		if cur.ID != run || cur.Finished {
			return nil // the run is over: no place left in it
		}
		b, err := tx.CreateBucketIfNotExists(budgetBucket(site))
		if err != nil {
			return err
		}
		mk := []byte("\x02" + budget + "\x00" + frontier.SeenKey(url))
		if b.Get(mk) != nil {
			ok = true
			return nil
		}
		ck := []byte("\x01" + budget)
		var n int64
		if v := b.Get(ck); len(v) == 8 {
			n = int64(binary.BigEndian.Uint64(v))
		}
		if n >= int64(limit) {
			return nil
		}
		ok = true
		if err := b.Put(mk, present); err != nil {
			return err
		}
		return b.Put(ck, i64(n+1))
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return false, frontier.ErrClosed
	}
	if err != nil {
		return false, fmt.Errorf("frontier: claim %s of %s: %w", budget, site, err)
	}
	return ok, nil
}

// PutPages implements frontier.Frontier.
func (f *Frontier) PutPages(ctx context.Context, site string, recs ...frontier.Record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.update(func(tx *bolt.Tx) error { return putPages(tx, site, recs) }); err != nil {
		return fmt.Errorf("frontier: put pages of %s: %w", site, err)
	}
	return nil
}

// Due implements frontier.Frontier. It reads the site's page states with a
// cursor.
func (f *Frontier) Due(ctx context.Context, site string, now time.Time) ([]string, error) {
	var out []string
	err := f.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(pagesBucket(site))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var p frontier.PageState
			if json.Unmarshal(v, &p) != nil {
				return nil
			}
			if at, ok := p.Revisit(); ok && !now.Before(at) {
				out = append(out, string(k))
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("frontier: due of %s: %w", site, err)
	}
	return out, nil
}

// Stats implements frontier.Frontier.
func (f *Frontier) Stats(ctx context.Context, site string) (frontier.Stats, error) {
	var s frontier.Stats
	err := f.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bCounts) == nil || tx.Bucket(bSiteHosts) == nil {
			return nil // a file no frontier has written yet
		}
		prefix := []byte(site + "\x00")
		c := tx.Bucket(bCounts).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			n := int64(binary.BigEndian.Uint64(v))
			switch name := string(k[len(prefix):]); {
			case name == "pending":
				s.Pending = n
			case name == "leased":
				s.Leased = n
			case name == "done":
				s.Done = n
			case name == "retried":
				s.Retried = n
			case len(name) > 8 && name[:8] == "dropped:":
				if s.Dropped == nil {
					s.Dropped = map[string]int64{}
				}
				s.Dropped[name[8:]] = n
			}
		}
		c = tx.Bucket(bSiteHosts).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			s.Hosts++
		}
		return nil
	})
	if err != nil {
		return frontier.Stats{}, fmt.Errorf("frontier: stats of %s: %w", site, err)
	}
	return s, nil
}

// Import writes into the frontier file at path, which no process holds,
// site's current run (run: its record as frontier.Run is written in JSON)
// and the page states pages gives (url, frontier.PageState in JSON), as
// another store kept them: a migration into this frontier. It creates
// the file when needed; the next Open reads what it wrote.
func Import(path, site string, run []byte, pages func(put func(url, state []byte) error) error) error {
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return fmt.Errorf("%w: %s", frontier.ErrLocked, path)
		}
		return fmt.Errorf("frontier: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		runs, err := tx.CreateBucketIfNotExists(bRuns)
		if err != nil {
			return err
		}
		if err := runs.Put([]byte(site), run); err != nil {
			return err
		}
		pb, err := tx.CreateBucketIfNotExists(pagesBucket(site))
		if err != nil {
			return err
		}
		return pages(pb.Put)
	})
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("frontier: import into %s: %w", path, err)
	}
	return nil
}

// OpenReadOnly opens the frontier file at path for reading: Page, Due
// and Stats answer, and nothing is written (Open would end an earlier
// process's leases and sync), so a reader such as a metrics scrape or a
// command costs no write; the calls that write fail. A process that holds
// the file (a crawl) is waited for at most wait, then OpenReadOnly
// returns frontier.ErrLocked.
func OpenReadOnly(path string, wait time.Duration) (*Frontier, error) {
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, Timeout: wait})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("%w: %s", frontier.ErrLocked, path)
		}
		return nil, fmt.Errorf("frontier: open %s: %w", path, err)
	}
	return &Frontier{db: db, opts: frontier.Options{}.WithDefaults(), log: slog.New(slog.DiscardHandler),
		hosts: map[string]*host{}, asked: map[string]time.Time{}}, nil
}

// present is the value of set members (a seen URL, a seed lock): bbolt
// reads an empty value written in the same transaction as absent.
var present = []byte{1}
