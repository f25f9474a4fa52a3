package redisfrontier_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/frontiertest"
	"newsarc/crawler/frontier/redisfrontier"
)

// counter is a go-redis hook counting round trips and the commands they
// carry.
type counter struct{ trips, cmds atomic.Int64 }

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.trips.Add(1)
		c.cmds.Add(1)
		return next(ctx, cmd)
	}
}
func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.trips.Add(1)
		c.cmds.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// serverCalls sums the calls of INFO commandstats: the commands the
// server ran, those of scripts included.
func serverCalls(b *testing.B, rdb *redis.Client) int64 {
	s, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "cmdstat_") || strings.HasPrefix(line, "cmdstat_info:") {
			continue
		}
		_, rest, _ := strings.Cut(line, "calls=")
		v, _, _ := strings.Cut(rest, ",")
		c, _ := strconv.ParseInt(v, 10, 64)
		n += c
	}
	return n
}

// BenchmarkPages reports, per page, the round trips to Redis, the
// commands they carried and the commands the server ran (scripts'
// included), and pages per second.
func BenchmarkPages(b *testing.B) {
	url := serverURL(b)
	for _, batch := range []int{1, 8} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			rdb := client(b, url)
			defer rdb.Close()
			c := &counter{}
			rdb.AddHook(c)
			f := redisfrontier.New(rdb, crawlName(b), frontier.Options{Delay: -1}, nil)
			defer dropCrawl(rdb, f.Prefix())
			calls0 := serverCalls(b, rdb)
			c.trips.Store(0)
			c.cmds.Store(0)
			frontiertest.BenchPages(b, f, 50, batch)
			b.StopTimer()
			// The seeding Enqueue and the first run of each script
			// (NOSCRIPT, then EVAL) are counted too: at most a dozen.
			trips, cmds := c.trips.Load(), c.cmds.Load()
			calls := serverCalls(b, rdb) - calls0 - 1 // less the first INFO's own call
			pages := float64(b.N)
			b.ReportMetric(float64(trips)/pages, "roundtrips/page")
			b.ReportMetric(float64(cmds)/pages, "cmds/page")
			b.ReportMetric(float64(calls)/pages, "servercmds/page")
		})
	}
}

// BenchmarkMillion queues NEWSARC_FRONTIER_N URLs (default 1,000,000) on
// 100 hosts and reports the server's used_memory growth per URL. Run with
// -benchtime=1x.
func BenchmarkMillion(b *testing.B) {
	url := serverURL(b)
	n := 1_000_000
	if s := os.Getenv("NEWSARC_FRONTIER_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	rdb := client(b, url)
	defer rdb.Close()
	for range b.N {
		f := redisfrontier.New(rdb, crawlName(b), frontier.Options{Delay: -1}, nil)
		before := usedMemory(b, rdb)
		frontiertest.QueueMillion(b, f, "big", n, 100)
		after := usedMemory(b, rdb)
		st, err := f.Stats(context.Background(), "big")
		if err != nil || st.Pending != int64(n) {
			b.Fatal(st, err)
		}
		b.ReportMetric(float64(after-before)/float64(n), "B/url")
		b.ReportMetric(float64(after-before)/(1<<20)*1e6/float64(n), "MB/1Murls")
		dropCrawl(rdb, f.Prefix())
	}
}

func usedMemory(b *testing.B, rdb *redis.Client) int64 {
	s, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Fatal("no used_memory in INFO memory")
	return 0
}
