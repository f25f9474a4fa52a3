package crawler

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestWorkQueueRoundRobin: hosts take turns, each URL of a host in the
// order it was queued.
func TestWorkQueueRoundRobin(t *testing.T) {
	q := newWorkQueue(newPacer(0, 1))
	q.push("a", queued{url: "a1"}, queued{url: "a2"}, queued{url: "a3"})
	q.push("b", queued{url: "b1"}, queued{url: "b2"})
	var got []string
	for {
		it, host, ok := q.take(context.Background())
		if !ok {
			break
		}
		got = append(got, it.url)
		q.finish(host)
	}
	want := "[a1 b1 a2 b2 a3]"
	if fmt.Sprint(got) != want {
		t.Fatalf("order %v, want %s", got, want)
	}
}

// TestWorkQueueHostLimit: a host's requests in flight never exceed its
// parallelism, while another host's URLs are handed out meanwhile.
func TestWorkQueueHostLimit(t *testing.T) {
	p := newPacer(0, 2)
	p.set("slow", 0, 1) // as robots.txt Crawl-delay does
	q := newWorkQueue(p)
	q.push("slow", queued{url: "s1"}, queued{url: "s2"})
	q.push("fast", queued{url: "f1"}, queued{url: "f2"}, queued{url: "f3"})
	ctx := context.Background()
	first, h1, _ := q.take(ctx)
	if first.url != "s1" {
		t.Fatalf("first %q", first.url)
	}
	// "slow" has one in flight: the next three must all be "fast".
	for i := 0; i < 2; i++ {
		it, host, ok := q.take(ctx)
		if !ok || host != "fast" {
			t.Fatalf("take %d: %q on %q, want a URL of fast", i, it.url, host)
		}
	}
	// fast has 2 in flight (its limit), slow 1: nothing can be taken until
	// one finishes.
	got := make(chan string)
	go func() {
		it, _, _ := q.take(ctx)
		got <- it.url
	}()
	select {
	case u := <-got:
		t.Fatalf("took %q while every host was at its limit", u)
	case <-time.After(50 * time.Millisecond):
	}
	q.finish(h1)
	if u := <-got; u != "s2" {
		t.Fatalf("after slow finished, took %q, want s2", u)
	}
}

// TestWorkQueueRetryLater: a retry waits for its time without holding up
// the URLs queued after it, and the queue does not end while it waits.
func TestWorkQueueRetryLater(t *testing.T) {
	q := newWorkQueue(newPacer(0, 1))
	later := time.Now().Add(80 * time.Millisecond)
	q.push("a", queued{url: "retry", at: later.UnixNano()}, queued{url: "next"})
	ctx := context.Background()
	it, host, _ := q.take(ctx)
	if it.url != "next" {
		t.Fatalf("took %q first, want the URL behind the waiting retry", it.url)
	}
	q.finish(host)
	it, host, ok := q.take(ctx)
	if !ok || it.url != "retry" {
		t.Fatalf("took %q (%v), want the retry", it.url, ok)
	}
	if time.Now().Before(later) {
		t.Fatalf("the retry was handed out before its time")
	}
	q.finish(host)
	if it, _, ok := q.take(ctx); ok {
		t.Fatalf("took %q from an empty queue", it.url)
	}
}

// TestWorkQueueEndsAfterInFlight: the queue does not end while a URL is in
// flight (its page may queue links), and a link queued then is taken.
func TestWorkQueueEndsAfterInFlight(t *testing.T) {
	q := newWorkQueue(newPacer(0, 4))
	q.push("a", queued{url: "front"})
	ctx := context.Background()
	front, host, _ := q.take(ctx)
	var wg sync.WaitGroup
	var second string
	wg.Go(func() {
		it, h, ok := q.take(ctx)
		if ok {
			second = it.url
			q.finish(h)
		}
	})
	time.Sleep(20 * time.Millisecond)
	q.push("b", queued{url: "link"})
	q.finish(host)
	wg.Wait()
	if front.url != "front" || second != "link" {
		t.Fatalf("took %q then %q, want front then link", front.url, second)
	}
	if _, _, ok := q.take(ctx); ok {
		t.Fatal("the queue did not end")
	}
}

// TestWorkQueueCancel: a waiting worker returns when the context ends.
func TestWorkQueueCancel(t *testing.T) {
	q := newWorkQueue(newPacer(0, 1))
	q.push("a", queued{url: "a1"}, queued{url: "a2"})
	ctx, cancel := context.WithCancel(context.Background())
	q.take(ctx) // a1 in flight: a2 waits for it
	done := make(chan bool)
	go func() {
		_, _, ok := q.take(ctx)
		done <- ok
	}()
	cancel()
	if <-done {
		t.Fatal("take returned a URL after its context ended")
	}
	if n := q.len(); n != 1 {
		t.Fatalf("%d URLs left queued, want 1", n)
	}
}

// TestWorkQueueSpill: beyond its memory budget the queue keeps URLs in the
// crawl state, and hands every URL out once, each host's in the order it
// was queued, whatever was spilled.
func TestWorkQueueSpill(t *testing.T) {
	st, err := OpenState(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := newWorkQueue(newPacer(0, 1))
	q.spill, q.memory = stateSpill{s: st, site: "s"}, 5
	q.failed = func(err error) { t.Errorf("spill: %v", err) }
	var want []string
	push := func(host string, from, n int) {
		var items []queued
		for i := from; i < from+n; i++ {
			u := fmt.Sprintf("%s/%d", host, i)
			items = append(items, queued{url: u, depth: int32(i%3 + 1)})
			want = append(want, u)
		}
		q.push(host, items...)
	}
	push("a", 0, 3)
	push("b", 0, 700) // beyond the budget: 2 stay in memory
	push("a", 3, 4)   // a has room for none: spilled behind b
	if q.inMem != 5 || q.len() != 707 {
		t.Fatalf("in memory %d, queued %d; want 5, 707", q.inMem, q.len())
	}
	got := map[string][]string{}
	seen := map[string]bool{}
	for {
		it, host, ok := q.take(context.Background())
		if !ok {
			break
		}
		if seen[it.url] {
			t.Fatalf("%s handed out twice", it.url)
		}
		seen[it.url] = true
		if it.depth < 1 || it.depth > 3 {
			t.Fatalf("%s: depth %d", it.url, it.depth)
		}
		got[host] = append(got[host], it.url)
		if host == "b" && len(got["b"]) == 300 {
			push("b", 700, 50) // queued while b's spill is being read back
		}
		q.finish(host)
	}
	if len(seen) != len(want) {
		t.Fatalf("%d URLs handed out, want %d", len(seen), len(want))
	}
	for host, urls := range got {
		for i, u := range urls {
			if u != fmt.Sprintf("%s/%d", host, i) {
				t.Fatalf("host %s: URL %d is %s: out of order", host, i, u)
			}
		}
	}
	if n := q.inMem; n != 0 {
		t.Fatalf("%d URLs left in memory", n)
	}
}
