package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"newsarc/crawler"
	"newsarc/extract"
	"newsarc/metrics"
	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/elastic"
	"newsarc/store/spool"
	"newsarc/store/warc"
)

// openStore opens the configured archive backend.
// openReadStore opens the archive for a command that only reads it: an
// embedded archive must exist (a --data that names a directory without
// one is a mistake, not an empty archive).
func openReadStore(ctx context.Context, cfg Config) (store.Store, error) {
	if err := requireArchive(cfg); err != nil {
		return nil, err
	}
	return openStore(ctx, cfg)
}

// requireArchive returns an error when cfg.Data holds nothing a crawl
// writes (an embedded archive, WARC files or a run log): read commands
// given a mistyped --data say so instead of answering from nothing.
func requireArchive(cfg Config) error {
	for _, p := range []string{filepath.Join(cfg.Data, "archive"), warcDir(cfg), runLogPath(cfg)} {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
	}
	if cfg.Store.Type == "elasticsearch" {
		return nil // the archive is on the cluster
	}
	return fmt.Errorf("no archive in %s: give --data the directory a crawl wrote (or set NEWSARC_DATA), or crawl first", cfg.Data)
}

func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	switch cfg.Store.Type {
	case "", "bleve":
		if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		st, err := bleve.OpenWith(ctx, filepath.Join(cfg.Data, "archive"), bleve.Options{Logger: slog.Default()})
		if err != nil {
			return nil, heldError(cfg, err)
		}
		return st, nil
	case "elasticsearch":
		if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		ecfg := cfg.Store.Elastic
		if len(ecfg.URLs) == 0 {
			// A config that chooses Elasticsearch without naming nodes
			// uses $ES_URL, else the local default.
			ecfg.URLs = elastic.DefaultConfig().URLs
			if v := os.Getenv("ES_URL"); v != "" {
				ecfg.URLs = strings.Split(v, ",")
			}
		}
		es, err := elastic.Open(ctx, ecfg)
		if err != nil {
			return nil, err
		}
		// Writes that meet a server that is down or overloaded wait on
		// disk and are indexed once it is back.
		return spool.New(filepath.Join(cfg.Data, "spool"), es, slog.Default())
	}
	return nil, fmt.Errorf("store type %q: want bleve or elasticsearch", cfg.Store.Type)
}

// extractorFor builds the extractor for one site.
func extractorFor(site crawler.Site) (*extract.Extractor, error) {
	opts := extract.DefaultOptions()
	if site.TimeZone != "" {
		loc, err := time.LoadLocation(site.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("site %s: timezone: %w", site.Name, err)
		}
		opts.Location = loc
	}
	return extract.New(opts), nil
}

// archive is an open store with its crawl state: what a crawl writes to.
type archive struct {
	cfg   Config
	store store.Store
	state *crawler.State
	warc  *warc.Writer
	runs  *runLog
	live  *liveRuns // the crawls running now, one per site
	log   *slog.Logger
	// metrics, when set, is fed by every crawl (see newMetrics).
	metrics *metrics.Registry
}

func warcDir(cfg Config) string { return filepath.Join(cfg.Data, "warc") }

// openArchive opens the store, the crawl state and the run log of cfg.Data.
func openArchive(ctx context.Context, cfg Config, log *slog.Logger) (*archive, error) {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	state, err := openState(cfg, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	wcfg := warc.DefaultConfig()
	wcfg.Dir = warcDir(cfg)
	wcfg.Software = versionString()
	wcfg.Operator = cfg.Crawler.Contact
	if cfg.Worker != "" {
		// Each worker of a shared crawl writes its own files.
		wcfg.Prefix, wcfg.Worker = warc.DefaultPrefix+"-"+cfg.Worker, cfg.Worker
	}
	w, err := warc.NewWriter(wcfg)
	if err != nil {
		state.Close()
		st.Close()
		return nil, err
	}
	return &archive{cfg: cfg, store: st, state: state, warc: w, runs: &runLog{path: runLogPath(cfg)}, live: &liveRuns{}, log: log}, nil
}

// stateDir is the crawl state: a frontier file per site.
func stateDir(cfg Config) string { return filepath.Join(cfg.Data, "state") }

// legacyState is the single crawl-state file of newsarc before the
// state directory; openState migrates it.
func legacyState(cfg Config) string { return filepath.Join(cfg.Data, "state.db") }

// openState opens the crawl state, moving a legacy state.db into it
// first, after checking its files: a file cut short would crash the crawl
// (SIGBUS) when read.
func openState(cfg Config, log *slog.Logger) (*crawler.State, error) {
	legacy := legacyState(cfg)
	if _, err := os.Stat(legacy); err == nil {
		if err := store.CheckBoltFile(legacy); err != nil {
			return nil, fmt.Errorf("crawl state: %w: move it aside and the next crawl starts afresh; the archive is kept", err)
		}
		n, err := crawler.MigrateState(legacy, stateDir(cfg))
		if err != nil {
			return nil, fmt.Errorf("crawl state: %w", err)
		}
		log.Info("crawl state moved to a frontier per site", "sites", n, "dir", stateDir(cfg), "old", legacy+".migrated")
	}
	files, _ := crawler.StateFiles(stateDir(cfg))
	for _, f := range files {
		if err := store.CheckBoltFile(f); err != nil {
			return nil, fmt.Errorf("crawl state: %w: move %s aside and the next crawl of its site starts afresh; the archive is kept", err, f)
		}
	}
	return crawler.OpenState(stateDir(cfg))
}

func runLogPath(cfg Config) string { return filepath.Join(cfg.Data, "runs.jsonl") }

// Close closes the state and the store.
func (a *archive) Close() error {
	err := a.warc.Close()
	if cerr := a.state.Close(); err == nil {
		err = cerr
	}
	if cerr := a.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// errSiteBusy is returned for a site whose crawl is already running in
// this process.
var errSiteBusy = errors.New("a crawl of this site is running")

// crawl crawls the sites with the config's crawler settings and records
// each run; see crawlWith.
func (a *archive) crawl(ctx context.Context, sites []crawler.Site, trigger string, w crawlWatcher) ([]crawler.Stats, error) {
	return a.crawlWith(ctx, a.cfg.Crawler, sites, trigger, w)
}

// crawlWith crawls the sites with ccfg, several at the same time (see
// below), and records each run, showing the counts to w (when not nil)
// and to the running crawls' list. A site that cannot be crawled, or
// whose crawl is running already, is reported and the others run. The
// stats come back in the order of sites, for the sites that ran.
func (a *archive) crawlWith(ctx context.Context, ccfg crawler.Config, sites []crawler.Site, trigger string, w crawlWatcher) ([]crawler.Stats, error) {
	ctx, full := stopOnDiskFull(ctx, a.cfg.Data)
	defer full.cancel(nil)
	ccfg.NotArticle = extract.ErrNotArticle
	ccfg.State = a.state
	ccfg.Recorder = full.recorder(a.warc)
	ccfg.Progress = func(s crawler.Stats) {
		a.live.update(s)
		if w != nil {
			w.update(s)
		}
	}
	arch := full.archive(a.store)
	if a.metrics != nil {
		ccfg.Observer = a.metrics
		arch = observedArchive{arch, a.metrics}
	}
	worker := a.cfg.Worker != ""
	if worker {
		ccfg.State, ccfg.Worker = nil, a.cfg.Worker
	}
	c := crawler.New(ccfg, arch, a.log)
	// crawlSite crawls one site and records its run; stop says the crawl
	// was stopped (or the site's config is bad): no further site runs.
	crawlSite := func(site crawler.Site) (stats crawler.Stats, err error, stop bool) {
		ex, err := extractorFor(site)
		if err != nil {
			return stats, err, true
		}
		if !a.live.start(site.Name, trigger) {
			err := fmt.Errorf("site %s: %w in this process", site.Name, errSiteBusy)
			a.log.Error("site not crawled", "site", site.Name, "err", err)
			return crawler.Stats{}, err, false // no run: no stats
		}
		if worker {
			// One worker of a shared crawl: the site's frontier is the
			// Redis server's, opened for the run; the sites crawled at
			// the same time share the crawler's group writer.
			f, ferr := openFrontier(ctx, a.cfg, site, a)
			if ferr != nil {
				err = ferr
			} else {
				stats, err = c.RunWorker(ctx, site, ex, f)
				f.Close()
			}
			stats.Worker = a.cfg.Worker
		} else {
			stats, err = c.Run(ctx, site, ex)
		}
		a.live.end(site.Name)
		err = full.cause(ctx, err)
		if err == nil && ctx.Err() == nil && !worker {
			// A worker that found the others had done the work fetched
			// nothing, and did not fail.
			err = crawlFailure(stats)
		}
		if w != nil {
			w.done(stats)
		}
		if stats.Site == "" {
			stats.Site = site.Name
		}
		rec := newRunRecord(stats, trigger, err)
		if rerr := a.runs.add(rec); rerr != nil {
			a.log.Error("run log", "err", rerr)
		}
		if worker {
			if rerr := addSharedRun(ctx, a.cfg, rec); rerr != nil {
				a.log.Error("run log", "err", rerr)
			}
		}
		if a.metrics != nil {
			a.metrics.RunEnded(rec.Site, rec.Status, time.Now())
		}
		if err != nil {
			if ctx.Err() != nil {
				return stats, err, true
			}
			a.log.Error("site not crawled", "site", site.Name, "err", err)
		}
		return stats, err, false
	}
	// Sites without a name are named as the crawler would, before they
	// run together: the running crawls are kept by name.
	sites = slices.Clone(sites)
	for i, site := range sites {
		if site.Name == "" && len(site.Seeds) > 0 {
			if u, err := url.Parse(site.Seeds[0]); err == nil {
				sites[i].Name = strings.TrimPrefix(u.Hostname(), "www.")
			}
		}
	}
	// The sites run together: a worker all of them (each site's host is
	// leased to one worker at a time, so the workers share the crawl's
	// sites between them), a single process up to crawler.sites_at_once,
	// so that one slow site does not hold up the others.
	atOnce := len(sites)
	if !worker {
		atOnce = ccfg.SitesAtOnce
		if atOnce <= 0 {
			atOnce = crawler.DefaultConfig().SitesAtOnce
		}
	}
	stats := make([]crawler.Stats, len(sites))
	errs := make([]error, len(sites))
	stops := make([]bool, len(sites))
	var stopped atomic.Bool
	slots := make(chan struct{}, max(atOnce, 1))
	var wg sync.WaitGroup
	for i, site := range sites {
		// Running crawls end soon once ctx is done, freeing their slots.
		// A crawl stopped before any site ran still runs (and records) the
		// first, as interrupted; no other site starts once it is stopped.
		slots <- struct{}{}
		if i > 0 && (ctx.Err() != nil || stopped.Load()) {
			<-slots
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			stats[i], errs[i], stops[i] = crawlSite(site)
			if stops[i] {
				stopped.Store(true)
			}
		})
	}
	wg.Wait()
	var all []crawler.Stats
	var firstErr, stopErr error
	for i := range sites {
		if stats[i].Site != "" {
			all = append(all, stats[i])
		}
		if errs[i] != nil {
			if stops[i] && stopErr == nil {
				stopErr = errs[i]
			}
			if firstErr == nil {
				firstErr = errs[i]
			}
		}
	}
	if stopErr != nil {
		return all, stopErr
	}
	return all, firstErr
}
