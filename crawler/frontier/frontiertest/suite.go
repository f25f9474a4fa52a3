// Package frontiertest is the conformance suite of frontier.Frontier: every
// implementation runs it from its own tests, against its real store.
package frontiertest

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"testing"
	"time"

	"newsarc/crawler/frontier"
)

// Harness opens the implementation under test.
type Harness struct {
	// New returns an empty frontier with opts, and reopen, which closes
	// it and opens it again on the same state (the same file, the same
	// crawl on the same server).
	New func(t *testing.T, opts frontier.Options) (f frontier.Frontier, reopen func() frontier.Frontier)
	// Restart, when set, returns an empty frontier with opts whose store
	// is a server of the test's own, and restart, which stops that server
	// and starts it again, keeping its data, while the frontier stays
	// open. Nil skips the restart test.
	Restart func(t *testing.T, opts frontier.Options) (f frontier.Frontier, restart func())
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"EnqueueDedup", testEnqueueDedup},
		{"LeaseByHost", testLeaseByHost},
		{"Politeness", testPoliteness},
		{"LeaseExpiry", testLeaseExpiry},
		{"DoneOnce", testDoneOnce},
		{"Retry", testRetry},
		{"DropRelease", testDropRelease},
		{"Extend", testExtend},
		{"Handoff", testHandoff},
		{"State", testState},
		{"Runs", testRuns},
		{"SeedOnce", testSeedOnce},
		{"Budgets", testBudgets},
		{"Reopen", testReopen},
		{"Workers", testWorkers},
		{"Restart", testRestart},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					f, ok := r.(failure)
					if !ok {
						panic(r)
					}
					t.Fatal(f.err)
				}
			}()
			tc.fn(t, h)
		})
	}
}

func ctxOf(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func entry(site, u string) frontier.Entry { return frontier.Entry{URL: u, Site: site, Depth: 1} }

// noDelay and fast leases: the tests that are not about them.
var fast = frontier.Options{Delay: -1, LeaseTTL: 10 * time.Second}

// must returns v, or fails the test when err is set: it panics with
// failure, which Run's wrapper of each test turns into t.Fatal. Only on
// a test's own goroutine.
func must[T any](v T, err error) T {
	if err != nil {
		panic(failure{err})
	}
	return v
}

type failure struct{ err error }

func urlsOf(l *frontier.Lease) []string {
	var out []string
	for _, e := range l.Entries {
		out = append(out, e.URL)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func done(t *testing.T, f frontier.Frontier, l *frontier.Lease, u string) bool {
	t.Helper()
	ok := must(f.Done(ctxOf(t), frontier.Outcome{Lease: l, URL: u}))
	return ok[0]
}

func testEnqueueDedup(t *testing.T, h Harness) {
	f, _ := h.New(t, fast)
	ctx := ctxOf(t)
	got := must(f.Enqueue(ctx, entry("a", "http://a.test/1"), entry("a", "http://a.test/2"), entry("a", "http://a.test/1")))
	if !slices.Equal(got, []bool{true, true, false}) {
		t.Fatalf("first enqueue: new = %v, want [true true false]", got)
	}
	got = must(f.Enqueue(ctx, entry("a", "http://a.test/2"), entry("a", "http://a.test/3"), entry("b", "http://a.test/1")))
	if !slices.Equal(got, []bool{false, true, true}) {
		t.Fatalf("second enqueue: new = %v, want [false true true] (seen sets are per site)", got)
	}
	if _, err := f.Enqueue(ctx, frontier.Entry{URL: "http://a.test/x"}); err == nil {
		t.Fatal("an entry without a site was queued")
	}
	if s := must(f.Stats(ctx, "a")); s.Pending != 3 || s.Hosts != 1 {
		t.Fatalf("stats of a = %+v, want 3 pending on 1 host", s)
	}
	// Everything queued comes out once.
	var all []string
	for {
		l := must(f.Lease(ctx, "w", 10))
		if l.Empty() {
			break
		}
		for _, e := range l.Entries {
			// Two sites queued http://a.test/1: Site tells them apart.
			ok := must(f.Done(ctx, frontier.Outcome{Lease: l, URL: e.URL, Site: e.Site}))
			if !ok[0] {
				t.Fatalf("done %s of %s: not held", e.URL, e.Site)
			}
			all = append(all, e.Site+" "+e.URL)
		}
	}
	slices.Sort(all)
	want := []string{"a http://a.test/1", "a http://a.test/2", "a http://a.test/3", "b http://a.test/1"}
	if !slices.Equal(all, want) {
		t.Fatalf("leased %v, want %v", all, want)
	}
}

func testLeaseByHost(t *testing.T, h Harness) {
	f, _ := h.New(t, fast)
	ctx := ctxOf(t)
	must(f.Enqueue(ctx,
		entry("s", "http://a.test/1"), entry("s", "http://b.test/1"), entry("s", "http://a.test/2"),
		frontier.Entry{URL: "http://a.test/feed", Site: "s", Priority: frontier.PriorityHigh, Kind: "feed", From: "http://a.test/", Depth: 2},
		entry("s", "http://a.test/3")))
	l1 := must(f.Lease(ctx, "w1", 10))
	l2 := must(f.Lease(ctx, "w2", 10))
	if l1.Empty() || l2.Empty() || l1.Host == l2.Host || l1.ID == l2.ID {
		t.Fatalf("two workers got %q %v and %q %v, want both hosts, one each", l1.Host, urlsOf(l1), l2.Host, urlsOf(l2))
	}
	a := l1
	if l2.Host == "a.test" {
		a = l2
	}
	if want := []string{"http://a.test/feed", "http://a.test/1", "http://a.test/2", "http://a.test/3"}; !slices.Equal(urlsOf(a), want) {
		t.Fatalf("a.test's lease: %v, want %v (high priority first, then first in first out)", urlsOf(a), want)
	}
	if e := a.Entries[0]; e.Kind != "feed" || e.From != "http://a.test/" || e.Depth != 2 || e.Site != "s" || e.Host != "a.test" {
		t.Fatalf("entry came back as %+v", e)
	}
	if a.Worker == "" || a.Deadline.Before(a.At) {
		t.Fatalf("lease %+v", a)
	}
	l3 := must(f.Lease(ctx, "w3", 10))
	if !l3.Empty() || l3.Busy != 2 || !l3.Next.IsZero() {
		t.Fatalf("third worker got %+v, want nothing, 2 hosts busy, none waiting", l3)
	}
	if s := must(f.Stats(ctx, "s")); s.Pending != 5 || s.Leased != 5 {
		t.Fatalf("stats %+v, want 5 pending, 5 leased", s)
	}
	// max bounds the batch.
	f2, _ := h.New(t, fast)
	for i := range 5 {
		must(f2.Enqueue(ctx, entry("s", fmt.Sprintf("http://c.test/%d", i))))
	}
	if l := must(f2.Lease(ctx, "w", 2)); len(l.Entries) != 2 {
		t.Fatalf("lease of at most 2 gave %v", urlsOf(l))
	}
}

func testPoliteness(t *testing.T, h Harness) {
	const delay = 120 * time.Millisecond
	const slow = 250 * time.Millisecond
	f, _ := h.New(t, frontier.Options{Delay: delay, LeaseTTL: 10 * time.Second})
	ctx := ctxOf(t)
	if err := f.SetDelay(ctx, "slow.test", slow); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		for _, host := range []string{"a.test", "b.test", "slow.test"} {
			must(f.Enqueue(ctx, entry("s", fmt.Sprintf("http://%s/%d", host, i))))
		}
	}
	var mu sync.Mutex
	at := map[string][]time.Time{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for {
				l, err := frontier.Wait(ctx, f, fmt.Sprint("w", w), 1, 20*time.Millisecond, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if l == nil {
					return
				}
				mu.Lock()
				at[l.Host] = append(at[l.Host], l.At)
				mu.Unlock()
				want := delay
				if l.Host == "slow.test" {
					want = slow
				}
				if l.Delay != want {
					t.Errorf("lease of %s says delay %v, want %v", l.Host, l.Delay, want)
				}
				for _, u := range urlsOf(l) {
					if !done(t, f, l, u) {
						t.Errorf("done %s: not held", u)
					}
				}
			}
		})
	}
	wg.Wait()
	for host, ts := range at {
		want := delay
		if host == "slow.test" {
			want = slow
		}
		if len(ts) != 4 {
			t.Errorf("%s: %d leases, want 4", host, len(ts))
		}
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		for i := 1; i < len(ts); i++ {
			if gap := ts[i].Sub(ts[i-1]); gap < want {
				t.Errorf("%s: leases %v apart, want at least %v", host, gap, want)
			}
		}
	}
}

func testLeaseExpiry(t *testing.T, h Harness) {
	const ttl = 300 * time.Millisecond
	f, _ := h.New(t, frontier.Options{Delay: -1, LeaseTTL: ttl})
	ctx := ctxOf(t)
	must(f.Enqueue(ctx, entry("s", "http://a.test/1"), entry("s", "http://a.test/2"), entry("s", "http://b.test/1")))
	dead := must(f.Lease(ctx, "dead", 10))
	alive := must(f.Lease(ctx, "alive", 10))
	if dead.Empty() || alive.Empty() {
		t.Fatal("no leases")
	}
	// The live worker renews through several TTLs; the dead one does not.
	for range 4 {
		time.Sleep(ttl / 2)
		if err := f.Renew(ctx, alive); err != nil {
			t.Fatalf("renew: %v", err)
		}
	}
	l := must(f.Lease(ctx, "other", 10))
	if l.Host != dead.Host || !slices.Equal(sorted(urlsOf(l)), sorted(urlsOf(dead))) {
		t.Fatalf("after the dead worker's lease expired another got %q %v, want %q %v", l.Host, urlsOf(l), dead.Host, urlsOf(dead))
	}
	if l2 := must(f.Lease(ctx, "third", 10)); !l2.Empty() {
		t.Fatalf("the renewed lease's host was handed out: %q %v", l2.Host, urlsOf(l2))
	}
	if err := f.Renew(ctx, dead); !errors.Is(err, frontier.ErrLeaseLost) {
		t.Fatalf("renew of an expired lease: %v, want ErrLeaseLost", err)
	}
	if done(t, f, dead, dead.Entries[0].URL) {
		t.Fatal("the expired lease finished a URL another worker holds")
	}
	for _, u := range urlsOf(l) {
		if !done(t, f, l, u) {
			t.Fatalf("done %s by its new holder: not held", u)
		}
	}
	if s := must(f.Stats(ctx, "s")); s.Done != 2 || s.Pending != 1 {
		t.Fatalf("stats %+v, want 2 done, 1 pending", s)
	}
}

func testDoneOnce(t *testing.T, h Harness) {
	f, _ := h.New(t, fast)
	ctx := ctxOf(t)
	must(f.Enqueue(ctx, entry("s", "http://a.test/1"), entry("s", "http://a.test/2"), entry("s", "http://b.test/1")))
	la := must(f.Lease(ctx, "w", 10))
	lb := must(f.Lease(ctx, "w", 10))
	if la.Host != "a.test" {
		la, lb = lb, la
	}
	st := frontier.PageState{Kind: "article", Status: 200, ETag: `"x"`, FetchedAt: time.Unix(1700000000, 0).UTC(), Run: 1}
	ok := must(f.Done(ctx,
		frontier.Outcome{Lease: la, URL: "http://a.test/1", Records: []frontier.Record{{URL: "http://a.test/1", State: st}}},
		frontier.Outcome{Lease: la, URL: "http://a.test/1"},
		frontier.Outcome{Lease: lb, URL: "http://a.test/2"}, // not lb's host
		frontier.Outcome{Lease: la, URL: "http://a.test/nope"},
	))
	if !slices.Equal(ok, []bool{true, false, false, false}) {
		t.Fatalf("done = %v, want [true false false false]", ok)
	}
	if done(t, f, la, "http://a.test/1") {
		t.Fatal("a URL was done twice")
	}
	if p, found := must2(t, f, "s", "http://a.test/1"); !found || p.ETag != `"x"` {
		t.Fatalf("state after done: %+v %v", p, found)
	}
	if s := must(f.Stats(ctx, "s")); s.Done != 1 || s.Pending != 2 || s.Leased != 2 {
		t.Fatalf("stats %+v, want 1 done, 2 pending, 2 leased", s)
	}
	// The lease ends with its last URL: Renew says so, and the host is
	// free again.
	if !done(t, f, la, "http://a.test/2") {
		t.Fatal("done a.test/2: not held")
	}
	if err := f.Renew(ctx, la); !errors.Is(err, frontier.ErrLeaseLost) {
		t.Fatalf("renew of a finished lease: %v", err)
	}
	must(f.Enqueue(ctx, entry("s", "http://a.test/3")))
	if l := must(f.Lease(ctx, "w", 10)); l.Host != "a.test" {
		t.Fatalf("a.test not leased again after its lease ended: %+v", l)
	}
}

func must2(t *testing.T, f frontier.Frontier, site, u string) (frontier.PageState, bool) {
	t.Helper()
	p, ok, err := f.Page(ctxOf(t), site, u)
	if err != nil {
		t.Fatal(err)
	}
	return p, ok
}

func testRetry(t *testing.T, h Harness) {
	f, _ := h.New(t, fast)
	ctx := ctxOf(t)
	must(f.Enqueue(ctx, entry("s", "http://a.test/1"), entry("s", "http://a.test/2")))
	l := must(f.Lease(ctx, "w", 1))
	if !slices.Equal(urlsOf(l), []string{"http://a.test/1"}) {
		t.Fatalf("leased %v", urlsOf(l))
	}
	at := time.Now().Add(400 * time.Millisecond)
	if err := f.Retry(ctx, l, "http://a.test/1", at); err != nil {
		t.Fatal(err)
	}
	if err := f.Retry(ctx, l, "http://a.test/1", at); !errors.Is(err, frontier.ErrLeaseLost) {
		t.Fatalf("second retry of one lease's URL: %v, want ErrLeaseLost", err)
	}
	// Before its time the retry waits; the host's other URL goes on.
	l = must(f.Lease(ctx, "w", 10))
	if !slices.Equal(urlsOf(l), []string{"http://a.test/2"}) {
		t.Fatalf("leased %v, want only a.test/2 while the retry waits", urlsOf(l))
	}
	done(t, f, l, "http://a.test/2")
	l = must(f.Lease(ctx, "w", 10))
	if !l.Empty() || l.Next.Before(at.Add(-50*time.Millisecond)) || l.Next.After(at.Add(time.Second)) {
		t.Fatalf("while the retry waits: %+v, want no lease, next about %v", l, at)
	}
	l, err := frontier.Wait(ctx, f, "w", 10, 50*time.Millisecond, nil)
	if err != nil || l == nil {
		t.Fatalf("wait for the retry: %v %v", l, err)
	}
	if time.Now().Before(at.Add(-20 * time.Millisecond)) {
		t.Fatalf("retry handed out before its time")
	}
	if len(l.Entries) != 1 || l.Entries[0].URL != "http://a.test/1" || l.Entries[0].Attempt != 1 {
		t.Fatalf("retry came back as %+v", l.Entries)
	}
	done(t, f, l, "http://a.test/1")
	if s := must(f.Stats(ctx, "s")); s.Retried != 1 || s.Done != 2 || s.Pending != 0 {
		t.Fatalf("stats %+v", s)
	}
	// A due retry comes before the host's queued URLs.
	must(f.Enqueue(ctx, entry("s", "http://b.test/1"), entry("s", "http://b.test/2")))
	l = must(f.Lease(ctx, "w", 1))
	if err := f.Retry(ctx, l, l.Entries[0].URL, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	l2 := must(f.Lease(ctx, "w", 10))
	if !slices.Equal(urlsOf(l2), []string{"http://b.test/1", "http://b.test/2"}) || l2.Entries[0].Attempt != 1 {
		t.Fatalf("leased %+v, want the due retry first", l2.Entries)
	}
}

func testDropRelease(t *testing.T, h Harness) {
	f, _ := h.New(t, fast)
	ctx := ctxOf(t)
	must(f.Enqueue(ctx, entry("s", "http://a.test/1"), entry("s", "http://a.test/2"), entry("s", "http://a.test/3")))
	l := must(f.Lease(ctx, "w", 10))
	if err := f.Drop(ctx, l, "http://a.test/1", "robots"); err != nil {
		t.Fatal(err)
	}
	if err := f.Drop(ctx, l, "http://a.test/1", "robots"); !errors.Is(err, frontier.ErrLeaseLost) {
		t.Fatalf("second drop: %v", err)
	}
	if err := f.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := f.Renew(ctx, l); !errors.Is(err, frontier.ErrLeaseLost) {
		t.Fatalf("renew after release: %v", err)
	}
	if err := f.Release(ctx, l); err != nil {
		t.Fatalf("second release: %v", err)
	}
	l = must(f.Lease(ctx, "w", 10))
	if !slices.Equal(sorted(urlsOf(l)), []string{"http://a.test/2", "http://a.test/3"}) {
		t.Fatalf("after release leased %v", urlsOf(l))
	}
	if s := must(f.Stats(ctx, "s")); s.Pending != 2 || s.Dropped["robots"] != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func testExtend(t *testing.T, h Harness) {
	const ttl = time.Second
	f, _ := h.New(t, frontier.Options{Delay: -1, LeaseTTL: ttl})
	ctx := ctxOf(t)
	must(f.Enqueue(ctx, entry("s", "http://a.test/1"), entry("s", "http://a.test/2"), entry("s", "http://b.test/1")))
	l := must(f.Lease(ctx, "w", 1))
	if l.Host != "a.test" || !slices.Equal(urlsOf(l), []string{"http://a.test/1"}) {
		t.Fatalf("leased %q %v, want a.test's first URL", l.Host, urlsOf(l))
	}
	// URLs found on the host while it is leased.
	must(f.Enqueue(ctx, frontier.Entry{URL: "http://a.test/3", Site: "s", Depth: 2, Priority: frontier.PriorityHigh}))
	time.Sleep(ttl * 7 / 10)
	ext, err := f.Extend(ctx, l, 10)
	if err != nil {
		t.Fatalf("extend: %v", err)
	}
	more := ext.Entries
	var got []string
	for _, e := range more {
		got = append(got, e.URL)
	}
	if !slices.Equal(got, []string{"http://a.test/3", "http://a.test/2"}) {
		t.Fatalf("extend handed %v, want [http://a.test/3 http://a.test/2] (high priority first)", got)
	}
	if !ext.Deadline.After(l.Deadline) {
		t.Fatalf("extend left the deadline at %v (lease's %v)", ext.Deadline, l.Deadline)
	}
	if ext.Waiting.IsZero() || ext.Waiting.After(time.Now()) || time.Since(ext.Waiting) < ttl*7/10 {
		t.Fatalf("extend says a host waits since %v, want b.test, ready since its enqueue (%v ago at least)", ext.Waiting, ttl*7/10)
	}
	// Past the lease's first deadline, the extension still holds the host.
	time.Sleep(ttl * 7 / 10)
	if o := must(f.Lease(ctx, "other", 10)); o.Host != "b.test" {
		t.Fatalf("another worker leased %q %v, want b.test: the extended lease holds a.test", o.Host, urlsOf(o))
	}
	if ext, err := f.Extend(ctx, l, 10); err != nil || len(ext.Entries) != 0 || !ext.Waiting.IsZero() {
		t.Fatalf("extend with nothing due, b.test leased: %+v, %v; want no entries, no host waiting", ext, err)
	}
	l2 := *l
	l2.Entries = append(slices.Clip(l.Entries), more...)
	if !done(t, f, l, "http://a.test/1") || !done(t, f, &l2, "http://a.test/3") {
		t.Fatal("done: the extended lease's URLs were not held")
	}
	if err := f.Drop(ctx, &l2, "http://a.test/2", "robots"); err != nil {
		t.Fatalf("drop of an extension's URL: %v", err)
	}
	// Its last URL finished, the lease has ended.
	if _, err := f.Extend(ctx, l, 10); !errors.Is(err, frontier.ErrLeaseLost) {
		t.Fatalf("extend of an ended lease: %v, want ErrLeaseLost", err)
	}
	must(f.Enqueue(ctx, entry("s", "http://a.test/4")))
	if o := must(f.Lease(ctx, "other", 10)); o.Host != "a.test" || !slices.Equal(urlsOf(o), []string{"http://a.test/4"}) {
		t.Fatalf("after the lease ended another worker leased %q %v", o.Host, urlsOf(o))
	}
	if s := must(f.Stats(ctx, "s")); s.Done != 2 || s.Dropped["robots"] != 1 || s.Pending != 2 || s.Leased != 2 {
		t.Fatalf("stats %+v, want 2 done, 1 dropped, 2 pending and leased", s)
	}
}

// testHandoff: Lease hands a worker none of the hosts it avoids, and
// counts them busy; a worker that finds no host to lease is recorded, and
// Extend tells the other workers' last such ask, not the lease's own.
func testHandoff(t *testing.T, h Harness) {
	f, _ := h.New(t, frontier.Options{Delay: -1, LeaseTTL: 10 * time.Second})
	ctx := ctxOf(t)
	must(f.Enqueue(ctx, entry("s", "http://a.test/1"), entry("s", "http://a.test/2"), entry("s", "http://b.test/1")))
	l := must(f.Lease(ctx, "w1", 1))
	if l.Host != "a.test" {
		t.Fatalf("leased %q, want a.test", l.Host)
	}
	if ext := must(f.Extend(ctx, l, 1)); !ext.Asked.IsZero() {
		t.Fatalf("extend says a worker asked in vain at %v; none did", ext.Asked)
	}
	// b.test is ready, but w2 avoids it: nothing to lease, and b.test
	// counts as busy, so that w2 waits rather than think the crawl over.
	before := time.Now()
	e := must(f.Lease(ctx, "w2", 10, "b.test"))
	if !e.Empty() || e.Busy != 2 || !e.Next.IsZero() {
		t.Fatalf("lease avoiding the only ready host: %q %v, busy %d, next %v; want none, busy 2, no next", e.Host, urlsOf(e), e.Busy, e.Next)
	}
	time.Sleep(100 * time.Millisecond)
	// The lease's own worker asking in vain is not another worker asking.
	mine := time.Now()
	if e := must(f.Lease(ctx, "w1", 10, "b.test")); !e.Empty() {
		t.Fatalf("w1 avoiding b.test leased %q", e.Host)
	}
	ext := must(f.Extend(ctx, l, 1))
	if ext.Asked.IsZero() || ext.Asked.Before(before.Add(-time.Second)) || ext.Asked.After(mine.Add(-50*time.Millisecond)) {
		t.Fatalf("extend says another worker asked in vain at %v, want w2's ask at %v (w1 asked at %v)", ext.Asked, before, mine)
	}
	if o := must(f.Lease(ctx, "w2", 10)); o.Host != "b.test" {
		t.Fatalf("w2 no longer avoiding leased %q, want b.test", o.Host)
	}
}

func testState(t *testing.T, h Harness) {
	f, _ := h.New(t, fast)
	ctx := ctxOf(t)
	now := time.Now().UTC().Truncate(time.Second)
	recs := []frontier.Record{
		{URL: "http://a.test/due", State: frontier.PageState{Kind: "article", Status: 200, ETag: `W/"1"`, LastModified: "Mon, 02 Jan 2006 15:04:05 GMT",
			ContentHash: "abc", ArticleID: "id1", FetchedAt: now.Add(-48 * time.Hour), NextDue: now.Add(-time.Hour), Interval: 1, Run: 3}},
		{URL: "http://a.test/later", State: frontier.PageState{Kind: "article", Status: 200, FetchedAt: now, NextDue: now.Add(time.Hour), Run: 3}},
		{URL: "http://a.test/gone", State: frontier.PageState{Kind: "article", Status: 404, Removed: true, NextDue: now.Add(-time.Hour)}},
		{URL: "http://a.test/list", State: frontier.PageState{Kind: "page", Status: 200, FetchedAt: now}},
		{URL: "http://a.test/panicked", State: frontier.PageState{Kind: "panic", ArticleID: "id2", Panics: 2, NextDue: now.Add(-time.Minute)}},
	}
	if err := f.PutPages(ctx, "s", recs...); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		p, ok := must2(t, f, "s", r.URL)
		if !ok || !samePage(p, r.State) {
			t.Fatalf("%s: got %+v %v, want %+v", r.URL, p, ok, r.State)
		}
	}
	if _, ok := must2(t, f, "other", "http://a.test/due"); ok {
		t.Fatal("state is not per site")
	}
	due := must(f.Due(ctx, "s", now))
	slices.Sort(due)
	if want := []string{"http://a.test/due", "http://a.test/panicked"}; !slices.Equal(due, want) {
		t.Fatalf("due %v, want %v", due, want)
	}
	// A newer state replaces the old, revisit time included.
	r := recs[0]
	r.State.NextDue = now.Add(24 * time.Hour)
	if err := f.PutPages(ctx, "s", r); err != nil {
		t.Fatal(err)
	}
	if due := must(f.Due(ctx, "s", now)); slices.Contains(due, r.URL) {
		t.Fatalf("due after its revisit moved: %v", due)
	}
}

func samePage(a, b frontier.PageState) bool {
	return a.FetchedAt.Equal(b.FetchedAt) && a.NextDue.Equal(b.NextDue) && func() bool {
		a.FetchedAt, a.NextDue, b.FetchedAt, b.NextDue = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		return a == b
	}()
}

func testRuns(t *testing.T, h Harness) {
	f, _ := h.New(t, fast)
	ctx := ctxOf(t)
	r1 := must(f.BeginRun(ctx, "s"))
	if r1.ID != 1 || r1.Resumed {
		t.Fatalf("first run %+v", r1)
	}
	again := must(f.BeginRun(ctx, "s"))
	if again.ID != 1 || !again.Resumed || !again.Started.Equal(r1.Started) {
		t.Fatalf("second begin %+v, want run 1 resumed", again)
	}
	if other := must(f.BeginRun(ctx, "t")); other.ID != 1 || other.Resumed {
		t.Fatalf("another site's run %+v", other)
	}
	must(f.Enqueue(ctx, entry("s", "http://a.test/1"), entry("s", "http://a.test/2"), entry("t", "http://a.test/3")))
	l := must(f.Lease(ctx, "w", 1))
	if err := f.FinishRun(ctx, "s", 7); err != nil { // not the current run: nothing happens
		t.Fatal(err)
	}
	if s := must(f.Stats(ctx, "s")); s.Pending != 2 {
		t.Fatalf("finishing another run changed the queue: %+v", s)
	}
	if err := f.FinishRun(ctx, "s", 1); err != nil {
		t.Fatal(err)
	}
	if s := must(f.Stats(ctx, "s")); s.Pending != 0 {
		t.Fatalf("after finish %+v, want nothing pending", s)
	}
	// Site t's URL on the same host stays.
	var left []string
	for {
		l2, err := frontier.Wait(ctx, f, "w", 10, 20*time.Millisecond, nil)
		if err != nil {
			t.Fatal(err)
		}
		if l2 == nil {
			break
		}
		for _, u := range urlsOf(l2) {
			left = append(left, u)
			done(t, f, l2, u)
		}
	}
	if !slices.Equal(left, []string{"http://a.test/3"}) {
		t.Fatalf("after s finished, the queue held %v, want t's URL only", left)
	}
	if done(t, f, l, l.Entries[0].URL) {
		t.Fatal("a URL of a finished run was done")
	}
	r2 := must(f.BeginRun(ctx, "s"))
	if r2.ID != 2 || r2.Resumed {
		t.Fatalf("run after finish %+v", r2)
	}
	// A new run has a new seen set.
	if got := must(f.Enqueue(ctx, entry("s", "http://a.test/1"))); !got[0] {
		t.Fatal("a URL of the last run is not new in the next")
	}
}

// testBudgets: a budget gives limit places, one per URL however often it
// is claimed, to concurrent claimers as well; budgets are per name, site
// and run, survive a reopen, end with the run, and a finished or stale
// run has none.
func testBudgets(t *testing.T, h Harness) {
	f, reopen := h.New(t, fast)
	ctx := ctxOf(t)
	run := must(f.BeginRun(ctx, "s"))
	claim := func(f frontier.Frontier, site string, run int64, budget, u string, limit int) bool {
		return must(f.Claim(ctx, site, run, budget, u, limit))
	}
	for i := range 3 {
		if !claim(f, "s", run.ID, "pages", fmt.Sprintf("http://a.test/%d", i), 3) {
			t.Fatalf("claim %d of 3 refused", i+1)
		}
	}
	if claim(f, "s", run.ID, "pages", "http://a.test/9", 3) {
		t.Fatal("a fourth URL got a place in a budget of 3")
	}
	if !claim(f, "s", run.ID, "pages", "http://a.test/1", 3) {
		t.Fatal("a URL claimed again lost its place")
	}
	if !claim(f, "s", run.ID, "list /page/N", "http://a.test/9", 3) {
		t.Fatal("another budget of the run is not separate")
	}
	if claim(f, "s", run.ID+1, "pages", "http://a.test/8", 3) {
		t.Fatal("a claim in a run that is not the site's current one got a place")
	}
	if _, err := f.Claim(ctx, "s", run.ID, "bad\x00name", "http://a.test/1", 3); err == nil {
		t.Fatal("a budget name with a control character was taken")
	}
	other := must(f.BeginRun(ctx, "t"))
	if !claim(f, "t", other.ID, "pages", "http://a.test/9", 3) {
		t.Fatal("another site's budget is not separate")
	}

	// Many claimers at once: exactly limit URLs get places.
	const limit, claimers = 20, 8
	var mu sync.Mutex
	got := map[string]bool{}
	var wg sync.WaitGroup
	for c := range claimers {
		wg.Go(func() {
			for i := range 10 {
				u := fmt.Sprintf("http://b.test/%d/%d", c, i)
				ok, err := f.Claim(ctx, "s", run.ID, "race", u, limit)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					got[u] = true
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(got) != limit {
		t.Fatalf("%d claimers x 10 URLs took %d places of %d", claimers, len(got), limit)
	}

	f = reopen()
	if claim(f, "s", run.ID, "pages", "http://a.test/7", 3) || !claim(f, "s", run.ID, "pages", "http://a.test/2", 3) {
		t.Fatal("a budget did not survive a reopen")
	}
	if err := f.FinishRun(ctx, "s", run.ID); err != nil {
		t.Fatal(err)
	}
	if claim(f, "s", run.ID, "pages", "http://a.test/1", 3) {
		t.Fatal("a finished run's budget gave a place")
	}
	next := must(f.BeginRun(ctx, "s"))
	for i := range 3 {
		if !claim(f, "s", next.ID, "pages", fmt.Sprintf("http://c.test/%d", i), 3) {
			t.Fatalf("the next run's budget was not empty: claim %d refused", i+1)
		}
	}
	if !claim(f, "t", other.ID, "pages", "http://a.test/9", 3) || claim(f, "t", other.ID, "pages", "http://a.test/5", 1) {
		t.Fatal("a new run of one site changed another site's budget")
	}
}

func testSeedOnce(t *testing.T, h Harness) {
	f, reopen := h.New(t, fast)
	ctx := ctxOf(t)
	run := must(f.BeginRun(ctx, "s"))
	seeds := []frontier.Entry{entry("s", "http://a.test/"), entry("s", "http://b.test/feed"), entry("s", "http://a.test/")}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 8 {
		wg.Go(func() {
			ok, err := f.Seed(ctx, "s", run.ID, slices.Clone(seeds))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d workers seeded the run, want 1", won)
	}
	if s := must(f.Stats(ctx, "s")); s.Pending != 2 {
		t.Fatalf("after seeding %+v, want 2 pending", s)
	}
	f = reopen()
	if ok := must(f.Seed(ctx, "s", run.ID, seeds)); ok {
		t.Fatal("seeded again after reopening")
	}
	if ok := must(f.Seed(ctx, "s", run.ID+1, seeds[:1])); !ok {
		t.Fatal("the next run's seeds were refused")
	}
}

func testReopen(t *testing.T, h Harness) {
	const ttl = 400 * time.Millisecond
	opts := frontier.Options{Delay: 50 * time.Millisecond, LeaseTTL: ttl}
	f, reopen := h.New(t, opts)
	ctx := ctxOf(t)
	run := must(f.BeginRun(ctx, "s"))
	var want []string
	for i := range 10 {
		for _, host := range []string{"a.test", "b.test", "c.test"} {
			u := fmt.Sprintf("http://%s/%d", host, i)
			must(f.Enqueue(ctx, entry("s", u)))
			want = append(want, u)
		}
	}
	if err := f.SetDelay(ctx, "c.test", 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// One lease finished in part, one held (its worker dies with the
	// process), one retried.
	l1 := must(f.Lease(ctx, "w", 3))
	for _, u := range urlsOf(l1)[:2] {
		done(t, f, l1, u)
		want = slices.DeleteFunc(want, func(s string) bool { return s == u })
	}
	rec := frontier.Record{URL: l1.Entries[0].URL, State: frontier.PageState{Kind: "article", Status: 200, ETag: "e", Run: run.ID}}
	if err := f.PutPages(ctx, "s", rec); err != nil {
		t.Fatal(err)
	}
	must(f.Lease(ctx, "w", 4))
	l3 := must(f.Lease(ctx, "w", 1))
	if l3.Empty() {
		t.Fatal("no third lease")
	}
	if err := f.Retry(ctx, l3, l3.Entries[0].URL, time.Now()); err != nil {
		t.Fatal(err)
	}

	f = reopen()
	if r := must(f.BeginRun(ctx, "s")); r.ID != run.ID || !r.Resumed {
		t.Fatalf("after reopen the run is %+v, want %d resumed", r, run.ID)
	}
	if p, ok := must2(t, f, "s", rec.URL); !ok || p.ETag != "e" {
		t.Fatalf("state lost: %+v", p)
	}
	if got := must(f.Enqueue(ctx, entry("s", want[0]))); got[0] {
		t.Fatal("seen set lost")
	}
	var got []string
	attempts := 0
	var cLeases []time.Time
	for {
		l, err := frontier.Wait(ctx, f, "w2", 100, 20*time.Millisecond, nil)
		if err != nil {
			t.Fatal(err)
		}
		if l == nil {
			break
		}
		if l.Host == "c.test" {
			cLeases = append(cLeases, l.At)
			if l.Delay != 300*time.Millisecond {
				t.Errorf("c.test's delay after reopen: %v", l.Delay)
			}
		}
		for _, e := range l.Entries {
			got = append(got, e.URL)
			attempts += e.Attempt
			done(t, f, l, e.URL)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("after reopen leased %d URLs %v, want %d %v", len(got), got, len(want), want)
	}
	if attempts != 1 {
		t.Fatalf("retry attempts after reopen: %d, want 1", attempts)
	}
	if s := must(f.Stats(ctx, "s")); s.Pending != 0 || s.Leased != 0 || s.Done != 30 {
		t.Fatalf("stats %+v, want 30 done, nothing pending", s)
	}
}

// workload is a crawl of sites × hosts × pages where every page links
// to a few others (duplicates among them), some pages fail once and are
// retried, and some are dropped.
type workload struct {
	sites, hosts, pages int
}

func (w workload) url(site, host, page int) string {
	return fmt.Sprintf("http://h%d-%d.test/p%d", site, host, page)
}

func hashOf(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// crawl runs workers on f until it is drained, and returns how often
// each URL was finished (Done or Drop returned it held) and what failed.
func (w workload) crawl(t *testing.T, ctx context.Context, f frontier.Frontier, workers int, onErr func(error)) map[string]int {
	var seeds []frontier.Entry
	for s := range w.sites {
		for h := range w.hosts {
			seeds = append(seeds, frontier.Entry{URL: w.url(s, h, 0), Site: fmt.Sprint("site", s), Priority: frontier.PriorityHigh})
		}
	}
	for s := range w.sites {
		run := must(f.BeginRun(ctx, fmt.Sprint("site", s)))
		var mine []frontier.Entry
		for _, e := range seeds {
			if e.Site == fmt.Sprint("site", s) {
				mine = append(mine, e)
			}
		}
		must(f.Seed(ctx, fmt.Sprint("site", s), run.ID, mine))
	}
	var mu sync.Mutex
	finished := map[string]int{}
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			worker := fmt.Sprint("w", i)
			for {
				l, err := frontier.Wait(ctx, f, worker, 1+i%4, 5*time.Millisecond, onErr)
				if err != nil {
					t.Errorf("%s: %v", worker, err)
					return
				}
				if l == nil {
					return
				}
				// A worker that dies holding its lease: another takes
				// the URLs over when it expires.
				if hashOf(l.ID+l.Host)%23 == 0 && l.Entries[0].Attempt == 0 && len(l.Entries) > 1 {
					continue
				}
				var outs []frontier.Outcome
				for _, e := range l.Entries {
					var site, host, page int
					fmt.Sscanf(e.URL, "http://h%d-%d.test/p%d", &site, &host, &page)
					var links []frontier.Entry
					for k := 1; k <= 3; k++ {
						if p := page*3 + k; p < w.pages {
							links = append(links, frontier.Entry{URL: w.url(site, host, p), Site: e.Site, From: e.URL, Depth: e.Depth + 1})
						}
					}
					links = append(links, frontier.Entry{URL: w.url(site, host, (page+1)%w.pages), Site: e.Site, Depth: e.Depth + 1})
					if _, err := f.Enqueue(ctx, links...); err != nil {
						t.Errorf("%s: %v", worker, err)
						return
					}
					switch hv := hashOf(e.URL); {
					case hv%11 == 0 && e.Attempt == 0:
						if err := f.Retry(ctx, l, e.URL, time.Now().Add(20*time.Millisecond)); err != nil && !errors.Is(err, frontier.ErrLeaseLost) {
							t.Error(err)
						}
					case hv%13 == 0:
						err := f.Drop(ctx, l, e.URL, "robots")
						if err == nil {
							mu.Lock()
							finished[e.URL]++
							mu.Unlock()
						} else if !errors.Is(err, frontier.ErrLeaseLost) {
							t.Error(err)
						}
					default:
						outs = append(outs, frontier.Outcome{Lease: l, URL: e.URL, Records: []frontier.Record{{URL: e.URL,
							State: frontier.PageState{Kind: "page", Status: 200, ETag: e.URL}}}})
					}
				}
				if len(outs) == 0 {
					continue
				}
				ok, err := f.Done(ctx, outs...)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for i, o := range outs {
					if ok[i] {
						finished[o.URL]++
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return finished
}

func testWorkers(t *testing.T, h Harness) {
	f, _ := h.New(t, frontier.Options{Delay: -1, LeaseTTL: 300 * time.Millisecond})
	ctx := ctxOf(t)
	w := workload{sites: 2, hosts: 6, pages: 60}
	finished := w.crawl(t, ctx, f, 8, nil)
	checkCrawl(t, ctx, f, w, finished, true)
}

// checkCrawl checks that every URL of w was finished exactly once (when
// exact) and that the frontier agrees.
func checkCrawl(t *testing.T, ctx context.Context, f frontier.Frontier, w workload, finished map[string]int, exact bool) {
	t.Helper()
	var total, dropped int64
	for s := range w.sites {
		site := fmt.Sprint("site", s)
		st := must(f.Stats(ctx, site))
		if st.Pending != 0 || st.Leased != 0 {
			t.Errorf("%s: %+v left", site, st)
		}
		total += st.Done
		dropped += st.Dropped["robots"]
		for h := range w.hosts {
			for p := range w.pages {
				u := w.url(s, h, p)
				if exact && finished[u] != 1 || finished[u] > 1 {
					t.Errorf("%s finished %d times", u, finished[u])
				}
				if hashOf(u)%13 == 0 {
					continue
				}
				if ps, ok := must2(t, f, site, u); !ok || ps.ETag != u {
					t.Errorf("%s: no state (%+v)", u, ps)
				}
			}
		}
	}
	if want := int64(w.sites * w.hosts * w.pages); total+dropped != want {
		t.Errorf("done %d + dropped %d, want %d", total, dropped, want)
	}
}

func testRestart(t *testing.T, h Harness) {
	if h.Restart == nil {
		t.Skip("the store has no server to restart")
	}
	f, restart := h.Restart(t, frontier.Options{Delay: -1, LeaseTTL: 2 * time.Second})
	ctx := ctxOf(t)
	w := workload{sites: 2, hosts: 4, pages: 200}
	var mu sync.Mutex
	waited := 0
	onErr := func(error) { mu.Lock(); waited++; mu.Unlock() }
	stop := make(chan struct{})
	restarted := make(chan bool, 1)
	go func() {
		for {
			select {
			case <-stop:
				restarted <- false
				return
			default:
			}
			if s, err := f.Stats(ctx, "site0"); err == nil && s.Done >= 150 {
				restart()
				restarted <- true
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	finished := w.crawl(t, ctx, f, 6, onErr)
	close(stop)
	if !<-restarted {
		t.Fatal("the crawl ended before the server was restarted")
	}
	checkCrawl(t, ctx, f, w, finished, false)
	t.Logf("%d leases failed while the server was away", waited)
}
