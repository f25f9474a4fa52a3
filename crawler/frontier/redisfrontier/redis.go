// Package redisfrontier is the crawl frontier on a Redis server, shared by
// any number of workers in any number of processes. Queues, leases, the
// seen sets, per-host politeness slots and delays, per-URL fetch state and
// the runs live in the server under one key prefix per crawl; leasing and
// finishing are Lua scripts, atomic on the server, so no two workers hold
// one host or one URL at once. Times are the server's clock.
//
// While the server is unreachable (restarting, say) every call waits and
// tries again, with backoff, until its context ends: workers pause and go
// on where they were. A call whose reply was lost may have been carried
// out: a Lease then holds a host until its deadline, an Enqueue reports
// its new entries as seen, a Done reports false; nothing is lost.
package redisfrontier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"newsarc/crawler/frontier"
)

// Frontier is the Redis frontier.
type Frontier struct {
	rdb    redis.UniversalClient
	own    bool
	prefix string
	opts   frontier.Options
	log    *slog.Logger
}

var _ frontier.Frontier = (*Frontier)(nil)

// Open connects to the server at url (redis://host:port/db) and returns
// the frontier of the crawl called name. It fails when the server does not
// answer a PING within ctx.
func Open(ctx context.Context, url, name string, opts frontier.Options, log *slog.Logger) (*Frontier, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("frontier: redis url: %w", err)
	}
	rdb := redis.NewClient(o)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("frontier: redis %s: %w", o.Addr, err)
	}
	f := New(rdb, name, opts, log)
	f.own = true
	return f, nil
}

// New returns the frontier of the crawl called name on rdb, which the
// caller keeps and closes.
func New(rdb redis.UniversalClient, name string, opts frontier.Options, log *slog.Logger) *Frontier {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Frontier{rdb: rdb, prefix: "newsarc:{" + name + "}:", opts: opts.WithDefaults(), log: log}
}

// Prefix is the prefix of the crawl's keys.
func (f *Frontier) Prefix() string { return f.prefix }

// Close closes the connection when Open made it.
func (f *Frontier) Close() error {
	if !f.own {
		return nil
	}
	if err := f.rdb.Close(); err != nil {
		return fmt.Errorf("frontier: close: %w", err)
	}
	return nil
}

// transient reports whether err is the server being away: a connection
// refused, reset or timed out, or a server still loading its data.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	switch {
	case errors.Is(err, redis.ErrClosed):
		return false
	case errors.As(err, &ne), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return true
	}
	s := err.Error()
	return strings.HasPrefix(s, "LOADING") || strings.HasPrefix(s, "MASTERDOWN") ||
		strings.HasPrefix(s, "TRYAGAIN") || strings.Contains(s, "EOF") ||
		strings.Contains(s, "connection refused") || strings.Contains(s, "connection reset")
}

// do runs fn until it succeeds, fails for good, or ctx ends, waiting
// through a server that is away.
func (f *Frontier) do(ctx context.Context, what string, fn func() error) error {
	wait := 50 * time.Millisecond
	since := time.Time{}
	for {
		err := fn()
		if err == nil || !transient(err) {
			if err == nil && !since.IsZero() {
				f.log.Info("frontier: redis is back", "op", what, "after", time.Since(since).Round(time.Millisecond))
			}
			if err != nil && !errors.Is(err, redis.Nil) {
				return fmt.Errorf("frontier: %s: %w", what, err)
			}
			return err
		}
		if since.IsZero() {
			since = time.Now()
			f.log.Warn("frontier: redis unreachable, waiting", "op", what, "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("frontier: %s: %w (redis: %v)", what, ctx.Err(), err)
		case <-t.C:
		}
		wait = min(wait*2, 2*time.Second)
	}
}

// run runs a script with the prefix and the default delay before args.
func (f *Frontier) run(ctx context.Context, what string, s *redis.Script, args ...any) (any, error) {
	argv := append([]any{f.prefix, f.opts.Delay.Milliseconds()}, args...)
	var out any
	err := f.do(ctx, what, func() error {
		var err error
		out, err = s.Run(ctx, f.rdb, []string{f.prefix}, argv...).Result()
		return err
	})
	return out, err
}

// entryArgs are the script arguments of entries.
func entryArgs(entries []frontier.Entry) ([]any, error) {
	args := make([]any, 0, 5*len(entries))
	for i := range entries {
		e := &entries[i]
		if err := e.Normalize(); err != nil {
			return nil, err
		}
		prio := "0"
		if e.Priority >= frontier.PriorityHigh {
			prio = "1"
		}
		args = append(args, frontier.SeenKey(e.URL), e.Site, e.Host, prio, e.Pack())
	}
	return args, nil
}

func flags(v any, n int) ([]bool, error) {
	a, ok := v.([]any)
	if !ok || len(a) != n {
		return nil, fmt.Errorf("frontier: unexpected reply %v", v)
	}
	out := make([]bool, n)
	for i, x := range a {
		out[i] = x == int64(1)
	}
	return out, nil
}

// BeginRun implements frontier.Frontier.
func (f *Frontier) BeginRun(ctx context.Context, site string) (frontier.Run, error) {
	v, err := f.run(ctx, "begin run of "+site, beginScript, site)
	if err != nil {
		return frontier.Run{}, err
	}
	a, ok := v.([]any)
	if !ok || len(a) != 3 {
		return frontier.Run{}, fmt.Errorf("frontier: begin run: unexpected reply %v", v)
	}
	id, _ := a[0].(int64)
	ms, _ := a[1].(int64)
	return frontier.Run{ID: id, Started: time.UnixMilli(ms), Resumed: a[2] == int64(1)}, nil
}

// FinishRun implements frontier.Frontier.
func (f *Frontier) FinishRun(ctx context.Context, site string, run int64) error {
	_, err := f.run(ctx, "finish run of "+site, finishScript, site, strconv.FormatInt(run, 10))
	return err
}

// Seed implements frontier.Frontier.
func (f *Frontier) Seed(ctx context.Context, site string, run int64, entries []frontier.Entry) (bool, error) {
	args, err := entryArgs(entries)
	if err != nil {
		return false, err
	}
	v, err := f.run(ctx, "seed "+site, seedScript, append([]any{site + ":" + strconv.FormatInt(run, 10)}, args...)...)
	if err != nil {
		return false, err
	}
	return v != int64(-1), nil
}

// Enqueue implements frontier.Frontier. Entries are sent in batches of
// 512, one script each.
func (f *Frontier) Enqueue(ctx context.Context, entries ...frontier.Entry) ([]bool, error) {
	out := make([]bool, 0, len(entries))
	for len(entries) > 0 {
		batch := entries[:min(len(entries), 512)]
		entries = entries[len(batch):]
		args, err := entryArgs(batch)
		if err != nil {
			return nil, err
		}
		v, err := f.run(ctx, "enqueue", enqueueScript, args...)
		if err != nil {
			return nil, err
		}
		b, err := flags(v, len(batch))
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// Lease implements frontier.Frontier.
func (f *Frontier) Lease(ctx context.Context, worker string, n int, avoid ...string) (*frontier.Lease, error) {
	args := []any{worker, max(n, 1), f.opts.LeaseTTL.Milliseconds()}
	for _, h := range avoid {
		args = append(args, h)
	}
	v, err := f.run(ctx, "lease", leaseScript, args...)
	if err != nil {
		return nil, err
	}
	a, ok := v.([]any)
	if !ok || len(a) < 3 {
		return nil, fmt.Errorf("frontier: lease: unexpected reply %v", v)
	}
	if a[0] != int64(1) {
		l := &frontier.Lease{}
		if ms, _ := a[1].(int64); ms > 0 {
			l.Next = time.UnixMilli(ms)
		}
		busy, _ := a[2].(int64)
		l.Busy = int(busy)
		return l, nil
	}
	if len(a) != 7 {
		return nil, fmt.Errorf("frontier: lease: unexpected reply %v", v)
	}
	host, _ := a[1].(string)
	id, _ := a[2].(int64)
	d, _ := a[3].(int64)
	at, _ := a[4].(int64)
	deadline, _ := a[5].(int64)
	raw, _ := a[6].([]any)
	l := &frontier.Lease{ID: strconv.FormatInt(id, 10), Host: host, Worker: worker, Delay: time.Duration(d) * time.Millisecond,
		At: time.UnixMilli(at), Deadline: time.UnixMilli(deadline)}
	for _, r := range raw {
		s, _ := r.(string)
		e, err := frontier.Unpack(s)
		if err != nil {
			return nil, err
		}
		l.Entries = append(l.Entries, e)
	}
	return l, nil
}

// Extend implements frontier.Frontier.
func (f *Frontier) Extend(ctx context.Context, l *frontier.Lease, n int) (frontier.Extension, error) {
	v, err := f.run(ctx, "extend", extendScript, l.Host, l.ID, max(n, 1), f.opts.LeaseTTL.Milliseconds())
	if err != nil {
		return frontier.Extension{}, err
	}
	a, ok := v.([]any)
	if !ok || len(a) == 0 {
		return frontier.Extension{}, fmt.Errorf("frontier: extend: unexpected reply %v", v)
	}
	ms, _ := a[0].(int64)
	if ms == 0 {
		return frontier.Extension{}, frontier.ErrLeaseLost
	}
	if len(a) != 4 {
		return frontier.Extension{}, fmt.Errorf("frontier: extend: unexpected reply %v", v)
	}
	raw, _ := a[1].([]any)
	ext := frontier.Extension{Deadline: time.UnixMilli(ms)}
	if since, _ := a[2].(int64); since > 0 {
		ext.Waiting = time.UnixMilli(since)
	}
	if asked, _ := a[3].(int64); asked > 0 {
		ext.Asked = time.UnixMilli(asked)
	}
	for _, r := range raw {
		s, _ := r.(string)
		e, err := frontier.Unpack(s)
		if err != nil {
			return frontier.Extension{}, err
		}
		ext.Entries = append(ext.Entries, e)
	}
	return ext, nil
}

// Renew implements frontier.Frontier.
func (f *Frontier) Renew(ctx context.Context, l *frontier.Lease) error {
	v, err := f.run(ctx, "renew", renewScript, l.Host, l.ID, f.opts.LeaseTTL.Milliseconds())
	if err != nil {
		return err
	}
	ms, _ := v.(int64)
	if ms == 0 {
		return frontier.ErrLeaseLost
	}
	l.Deadline = time.UnixMilli(ms)
	return nil
}

// Done implements frontier.Frontier: one script for all outcomes.
func (f *Frontier) Done(ctx context.Context, outs ...frontier.Outcome) ([]bool, error) {
	args := []any{len(outs)}
	for _, o := range outs {
		site := o.Site
		var host, id string
		if site == "" {
			site = o.Lease.SiteOf(o.URL)
		}
		if o.Lease != nil {
			host, id = o.Lease.Host, o.Lease.ID
		}
		if len(o.Records) > 0 && site == "" {
			return nil, fmt.Errorf("frontier: done: records of %s: no site", o.URL)
		}
		args = append(args, host, id, o.URL, site, len(o.Records))
		for _, r := range o.Records {
			b, err := json.Marshal(r.State)
			if err != nil {
				return nil, fmt.Errorf("frontier: done: %w", err)
			}
			due := ""
			if at, ok := r.State.Revisit(); ok {
				due = strconv.FormatInt(at.UnixMilli(), 10)
			}
			args = append(args, r.URL, b, due)
		}
	}
	v, err := f.run(ctx, "done", doneScript, args...)
	if err != nil {
		return nil, err
	}
	return flags(v, len(outs))
}

// Retry implements frontier.Frontier.
func (f *Frontier) Retry(ctx context.Context, l *frontier.Lease, url string, at time.Time) error {
	return f.finishOne(ctx, l, url, "retry", strconv.FormatInt(at.UnixMilli(), 10))
}

// Drop implements frontier.Frontier.
func (f *Frontier) Drop(ctx context.Context, l *frontier.Lease, url, reason string) error {
	return f.finishOne(ctx, l, url, "drop", reason)
}

func (f *Frontier) finishOne(ctx context.Context, l *frontier.Lease, url, what, arg string) error {
	if l == nil {
		return frontier.ErrLeaseLost
	}
	v, err := f.run(ctx, what+" "+url, finishOneScript, l.Host, l.ID, url, what, arg, l.SiteOf(url))
	if err != nil {
		return err
	}
	if v != int64(1) {
		return frontier.ErrLeaseLost
	}
	return nil
}

// Release implements frontier.Frontier.
func (f *Frontier) Release(ctx context.Context, l *frontier.Lease) error {
	if l == nil || l.ID == "" {
		return nil
	}
	_, err := f.run(ctx, "release", releaseScript, l.Host, l.ID)
	return err
}

// Claim implements frontier.Frontier.
func (f *Frontier) Claim(ctx context.Context, site string, run int64, budget, url string, limit int) (bool, error) {
	if err := frontier.CheckBudget(budget); err != nil {
		return false, err
	}
	v, err := f.run(ctx, "claim "+budget+" of "+site, claimScript, site, strconv.FormatInt(run, 10), budget,
		frontier.SeenKey(url), strconv.Itoa(limit))
	if err != nil {
		return false, err
	}
	return v == int64(1), nil
}

// SetDelay implements frontier.Frontier.
func (f *Frontier) SetDelay(ctx context.Context, host string, d time.Duration) error {
	return f.do(ctx, "set delay of "+host, func() error {
		return f.rdb.HSet(ctx, f.prefix+"delay", host, max(d, 0).Milliseconds()).Err()
	})
}

// Page implements frontier.Frontier.
func (f *Frontier) Page(ctx context.Context, site, url string) (frontier.PageState, bool, error) {
	var b []byte
	err := f.do(ctx, "page "+url, func() error {
		var err error
		b, err = f.rdb.HGet(ctx, f.prefix+"page:"+site, url).Bytes()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return frontier.PageState{}, false, nil
	}
	if err != nil {
		return frontier.PageState{}, false, err
	}
	var p frontier.PageState
	if err := json.Unmarshal(b, &p); err != nil {
		return frontier.PageState{}, false, fmt.Errorf("frontier: page %s: %w", url, err)
	}
	return p, true, nil
}

// PutPages implements frontier.Frontier.
func (f *Frontier) PutPages(ctx context.Context, site string, recs ...frontier.Record) error {
	if len(recs) == 0 {
		return nil
	}
	_, err := f.Done(ctx, frontier.Outcome{Site: site, Records: recs})
	return err
}

// Due implements frontier.Frontier.
func (f *Frontier) Due(ctx context.Context, site string, now time.Time) ([]string, error) {
	var out []string
	err := f.do(ctx, "due of "+site, func() error {
		var err error
		out, err = f.rdb.ZRangeByScore(ctx, f.prefix+"revisit:"+site, &redis.ZRangeBy{
			Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10)}).Result()
		return err
	})
	return out, err
}

// Stats implements frontier.Frontier.
func (f *Frontier) Stats(ctx context.Context, site string) (frontier.Stats, error) {
	var m map[string]string
	var hosts int64
	err := f.do(ctx, "stats of "+site, func() error {
		p := f.rdb.Pipeline()
		hc := p.HGetAll(ctx, f.prefix+"count:"+site)
		sc := p.SCard(ctx, f.prefix+"sitehosts:"+site)
		if _, err := p.Exec(ctx); err != nil {
			return err
		}
		m, hosts = hc.Val(), sc.Val()
		return nil
	})
	if err != nil {
		return frontier.Stats{}, err
	}
	s := frontier.Stats{Hosts: int(hosts)}
	for k, v := range m {
		n, _ := strconv.ParseInt(v, 10, 64)
		switch {
		case k == "pending":
			s.Pending = n
		case k == "leased":
			s.Leased = n
		case k == "done":
			s.Done = n
		case k == "retried":
			s.Retried = n
		case strings.HasPrefix(k, "dropped:"):
			if s.Dropped == nil {
				s.Dropped = map[string]int64{}
			}
			s.Dropped[k[len("dropped:"):]] = n
		}
	}
	return s, nil
}
