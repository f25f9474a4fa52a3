package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"newsarc/crawler"
	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/redisfrontier"
)

// workerFlags are the flags of a command that can run as one worker of a
// shared crawl (crawl, schedule).
type workerFlags struct {
	worker   bool
	id       string
	frontier string
}

func (w *workerFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&w.worker, "worker", false, "run as one worker of a crawl shared through the Redis frontier (crawler.frontier: redis)")
	f.StringVar(&w.id, "worker-id", "", "this worker's name in leases, WARC files and runs (default hostname-pid)")
	f.StringVar(&w.frontier, "frontier", "", "the shared frontier's Redis URL (redis://host:port/db); implies --worker")
}

// apply puts the flags into cfg: cfg.Worker is set when the command runs
// as a worker.
func (w *workerFlags) apply(cfg *Config) error {
	if w.frontier != "" {
		if !strings.HasPrefix(w.frontier, "redis://") && !strings.HasPrefix(w.frontier, "rediss://") {
			return fmt.Errorf("--frontier %q: want a redis:// URL", w.frontier)
		}
		cfg.Crawler.FrontierType, cfg.Crawler.RedisURL = "redis", w.frontier
		w.worker = true
	}
	if !w.worker && cfg.Crawler.FrontierType != "redis" {
		if w.id != "" {
			return errors.New("--worker-id needs --worker")
		}
		return nil
	}
	if cfg.Crawler.FrontierType == "" || cfg.Crawler.FrontierType == "local" {
		cfg.Crawler.FrontierType = "redis"
	}
	if cfg.Crawler.RedisURL == "" {
		cfg.Crawler.RedisURL = os.Getenv("REDIS_URL")
	}
	if cfg.Crawler.RedisURL == "" {
		return errors.New("--worker: no Redis server: set crawler.redis_url, --frontier redis://host:port/0 or $REDIS_URL")
	}
	id := w.id
	if id == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "worker"
		}
		id = host + "-" + strconv.Itoa(os.Getpid())
	}
	if !workerID.MatchString(id) {
		return fmt.Errorf("--worker-id %q: letters, digits, '.', '_' and '-' only, at most 64", id)
	}
	cfg.Worker = id
	return nil
}

// workerID is what a worker's name may hold: it goes into file names.
var workerID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// frontierName names the shared crawl of a site in the frontier:
// crawler.frontier_name, else the archive's index prefix (the workers of
// one crawl write one archive), and the site.
func frontierName(cfg Config, site string) string {
	prefix := "newsarc"
	switch {
	case cfg.Crawler.FrontierName != "":
		prefix = cfg.Crawler.FrontierName
	case cfg.Store.Type == "elasticsearch" && cfg.Store.Elastic.IndexPrefix != "":
		prefix = cfg.Store.Elastic.IndexPrefix
	}
	return prefix + "/" + site
}

// openFrontier opens the shared frontier of one site's crawl.
func openFrontier(ctx context.Context, cfg Config, site crawler.Site, a *archive) (frontier.Frontier, error) {
	delay := cfg.Crawler.Delay
	if site.Delay > 0 {
		delay = site.Delay
	}
	if delay <= 0 {
		delay = -1 // none; zero would be the frontier's default
	}
	f, err := redisfrontier.Open(ctx, cfg.Crawler.RedisURL, frontierName(cfg, site.Name),
		frontier.Options{Delay: delay, LeaseTTL: cfg.Crawler.LeaseTTL}, a.log)
	if err != nil {
		return nil, fmt.Errorf("site %s: %w", site.Name, err)
	}
	return f, nil
}

// sharedRunsKey is the Redis list of the run records of a shared crawl's
// workers: the archive's, as frontierName's prefix.
func sharedRunsKey(cfg Config) string {
	return "newsarc:runs:{" + strings.TrimSuffix(frontierName(cfg, ""), "/") + "}"
}

func redisClient(cfg Config) (*redis.Client, error) {
	o, err := redis.ParseURL(cfg.Crawler.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	return redis.NewClient(o), nil
}

// addSharedRun records a worker's run in Redis, where `runs` finds the
// records of every worker of the crawl.
func addSharedRun(ctx context.Context, cfg Config, rec runRecord) error {
	rdb, err := redisClient(cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := rdb.RPush(ctx, sharedRunsKey(cfg), b).Err(); err != nil {
		return fmt.Errorf("shared run log: %w", err)
	}
	return nil
}

// readSharedRuns returns the run records of a shared crawl's workers,
// oldest first.
func readSharedRuns(ctx context.Context, cfg Config) ([]runRecord, error) {
	rdb, err := redisClient(cfg)
	if err != nil {
		return nil, err
	}
	defer rdb.Close()
	vals, err := rdb.LRange(ctx, sharedRunsKey(cfg), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("shared run log: %w", err)
	}
	var out []runRecord
	for _, v := range vals {
		var r runRecord
		if json.Unmarshal([]byte(v), &r) == nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// groupRuns shows the records of one run of a shared crawl (one site, one
// run ID, many workers) as one record: the earliest start, the latest end,
// the counts summed, the worst status, and its workers. Other records are
// kept as they are. The order is that of each run's first record.
func groupRuns(recs []runRecord) []runRecord {
	type key struct {
		site string
		run  int64
	}
	at := map[key]int{}
	var out []runRecord
	for _, r := range recs {
		if r.Stats.Run == 0 || r.Stats.Worker == "" {
			out = append(out, r)
			continue
		}
		k := key{r.Site, r.Stats.Run}
		i, ok := at[k]
		if !ok {
			r.Workers = []string{r.Stats.Worker}
			r.Stats.Worker = ""
			at[k] = len(out)
			out = append(out, r)
			continue
		}
		g := &out[i]
		if !slices.Contains(g.Workers, r.Stats.Worker) {
			g.Workers = append(g.Workers, r.Stats.Worker)
		}
		if r.Started.Before(g.Started) {
			g.Started = r.Started
		}
		if r.Finished.After(g.Finished) {
			g.Finished = r.Finished
		}
		g.Stats.Started, g.Stats.Duration = g.Started, g.Finished.Sub(g.Started)
		addStats(&g.Stats, r.Stats)
		if statusRank(r.Status) > statusRank(g.Status) {
			g.Status, g.Error = r.Status, r.Error
		}
	}
	return out
}

func statusRank(s string) int {
	switch s {
	case "failed":
		return 2
	case "interrupted":
		return 1
	}
	return 0
}

// addStats adds b's counts to a's.
func addStats(a *crawler.Stats, b crawler.Stats) {
	a.Queued += b.Queued
	a.Fetched += b.Fetched
	a.Bytes += b.Bytes
	a.New += b.New
	a.Updated += b.Updated
	a.Unchanged += b.Unchanged
	a.NotArticle += b.NotArticle
	a.Undated += b.Undated
	a.Retries += b.Retries
	a.NotModified += b.NotModified
	a.Removed += b.Removed
	a.Duplicates += b.Duplicates
	a.ArticlePages += b.ArticlePages
	for _, m := range []struct {
		dst *map[string]int
		src map[string]int
	}{
		{&a.Verdicts, b.Verdicts}, {&a.Skipped, b.Skipped}, {&a.Errors, b.Errors}} {
		if len(m.src) == 0 {
			continue
		}
		if *m.dst == nil {
			*m.dst = map[string]int{}
		}
		for k, v := range m.src {
			(*m.dst)[k] += v
		}
	}
	for _, o := range b.RobotsUnavailable {
		if !slices.Contains(a.RobotsUnavailable, o) {
			a.RobotsUnavailable = append(a.RobotsUnavailable, o)
		}
	}
}
