package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"newsarc/crawler"
)

// workersBench measures a crawl shared by 1, 2, ... worker processes
// (`newsarc crawl --worker`, the binary o.newsarc) through the Redis
// server o.redis: the generated sites, politeness off, each worker with an
// embedded archive of its own. It reports per worker count the pages
// fetched by all workers, the wall time from starting the processes to
// the last one's exit, pages/s, and the Redis server's commands per page
// (INFO commandstats: script calls, and every command including those the
// scripts run).
func workersBench(ctx context.Context, o options) error {
	if o.newsarc == "" || o.redis == "" {
		return fmt.Errorf("--workers needs --newsarc BIN and --redis URL")
	}
	var counts []int
	for _, f := range strings.Split(o.workers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("--workers %q: want counts such as 1,2,3", o.workers)
		}
		counts = append(counts, n)
	}
	srv, err := startServer(fmt.Sprintf("CRAWLBENCH_SITES=%d", o.sites), fmt.Sprintf("CRAWLBENCH_ARTICLES=%d", o.articles))
	if err != nil {
		return err
	}
	defer srv.close()
	ro, err := redis.ParseURL(o.redis)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(ro)
	defer rdb.Close()
	fmt.Printf("%d sites of %d articles, politeness off; Redis %s\n", o.sites, o.articles, o.redis)
	fmt.Printf("%-8s %-6s %8s %9s %8s %14s %16s\n", "workers", "round", "pages", "wall", "pages/s", "scripts/page", "commands/page")
	for round := 1; round <= o.rounds; round++ {
		for _, n := range counts {
			name := fmt.Sprintf("bench-%d-%d-%d", os.Getpid(), n, round)
			scripts0, cmds0, err := redisCalls(ctx, rdb)
			if err != nil {
				return err
			}
			pages, wall, err := runWorkers(ctx, o, srv.urls, name, n)
			if err != nil {
				return err
			}
			scripts1, cmds1, err := redisCalls(ctx, rdb)
			if err != nil {
				return err
			}
			fmt.Printf("%-8d %-6d %8d %9s %8.0f %14.2f %16.2f\n", n, round, pages, wall.Round(time.Millisecond),
				float64(pages)/wall.Seconds(), float64(scripts1-scripts0)/float64(max(pages, 1)),
				float64(cmds1-cmds0)/float64(max(pages, 1)))
		}
	}
	return nil
}

// runWorkers runs n worker processes on one crawl of the sites and
// returns the pages they fetched and the wall time.
func runWorkers(ctx context.Context, o options, seeds []string, name string, n int) (int, time.Duration, error) {
	dir, err := os.MkdirTemp(o.dir, "crawlbench-workers-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	cfg := filepath.Join(dir, "config.yaml")
	var b strings.Builder
	fmt.Fprintf(&b, "crawler:\n  frontier: redis\n  redis_url: %s\n  frontier_name: %s\n  delay: 0s\n  max_pages: 1000000\n  max_list_pages: 1000000\nsites:\n", o.redis, name)
	for i, s := range seeds {
		fmt.Fprintf(&b, "  - name: site%d\n    seeds: [%s/]\n", i+1, s)
	}
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		return 0, 0, err
	}
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	start := time.Now()
	for i := range n {
		outs[i] = &bytes.Buffer{}
		cmds[i] = exec.CommandContext(ctx, o.newsarc, "crawl", "--worker", "--worker-id", fmt.Sprintf("b%d", i+1),
			"--config", cfg, "--data", filepath.Join(dir, strconv.Itoa(i)), "--quiet", "--json")
		cmds[i].Stdout, cmds[i].Stderr = outs[i], os.Stderr
		if err := cmds[i].Start(); err != nil {
			return 0, 0, err
		}
	}
	pages := 0
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			return 0, 0, fmt.Errorf("worker %d: %w", i+1, err)
		}
		var st []crawler.Stats
		if err := json.Unmarshal(outs[i].Bytes(), &st); err != nil {
			return 0, 0, fmt.Errorf("worker %d: stats: %w", i+1, err)
		}
		for _, s := range st {
			pages += s.Fetched
		}
	}
	return pages, time.Since(start), nil
}

// redisCalls returns the server's script calls (EVALSHA, EVAL) and all its
// command calls so far.
func redisCalls(ctx context.Context, rdb *redis.Client) (scripts, all int64, err error) {
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return 0, 0, fmt.Errorf("redis: %w", err)
	}
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":calls=")
		if !ok {
			continue
		}
		v, _ := strconv.ParseInt(strings.SplitN(rest, ",", 2)[0], 10, 64)
		all += v
		if name == "cmdstat_evalsha" || name == "cmdstat_eval" {
			scripts += v
		}
	}
	return scripts, all, nil
}
