package crawler

import (
	"context"
	"fmt"
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
