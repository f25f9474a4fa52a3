package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

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

// frontierName names the shared crawl of a site in the frontier: the
// archive's index prefix (the workers of one crawl write one archive) and
// the site.
func frontierName(cfg Config, site string) string {
	prefix := "newsarc"
	if cfg.Store.Type == "elasticsearch" && cfg.Store.Elastic.IndexPrefix != "" {
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
