package crawler

import (
	"context"
	"testing"
	"time"
)

func TestPacer(t *testing.T) {
	p := newPacer(40*time.Millisecond, 2)
	p.set("slow.example", 100*time.Millisecond, 1)
	ctx := context.Background()

	// Parallelism 2 and a 40 ms delay: a request every 20 ms at most.
	start := time.Now()
	for range 4 {
		if !p.wait(ctx, "news.example") {
			t.Fatal("wait refused")
		}
	}
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("4 requests in %v, want them at least 20 ms apart", d)
	}
	// Another host does not wait for the first; the slow host keeps its own pace.
	start = time.Now()
	p.wait(ctx, "slow.example")
	p.wait(ctx, "slow.example")
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("two requests to a host with Crawl-delay 100ms in %v", d)
	}

	// A stopped crawl does not sit out the delay.
	p = newPacer(time.Hour, 1)
	p.wait(ctx, "news.example")
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan bool)
	go func() { done <- p.wait(cctx, "news.example") }()
	cancel()
	select {
	case ok := <-done:
		if ok {
			t.Error("wait after cancel returned true")
		}
	case <-time.After(time.Minute):
		t.Fatal("wait did not return after cancel (it would have waited an hour)")
	}
}
