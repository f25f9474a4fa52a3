package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"newsarc/crawler"
	"newsarc/extract"
	"newsarc/store"
	"newsarc/store/bleve"
)

// openStore opens the configured archive backend.
func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	switch cfg.Store.Type {
	case "", "bleve":
		if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		return bleve.Open(ctx, filepath.Join(cfg.Data, "archive"))
	}
	return nil, fmt.Errorf("store type %q: want bleve", cfg.Store.Type)
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

// crawlSites crawls each site in turn into st and returns the stats of
// each. A site that cannot be crawled is reported and the next one runs.
func crawlSites(ctx context.Context, cfg Config, sites []crawler.Site, st store.Store, log *slog.Logger, p *progress) ([]crawler.Stats, error) {
	ccfg := cfg.Crawler
	ccfg.NotArticle = extract.ErrNotArticle
	state, err := crawler.OpenState(filepath.Join(cfg.Data, "state.db"))
	if err != nil {
		return nil, err
	}
	defer state.Close()
	ccfg.State = state
	if p != nil {
		ccfg.Progress = p.update
	}
	c := crawler.New(ccfg, st, log)
	var all []crawler.Stats
	var firstErr error
	for _, site := range sites {
		ex, err := extractorFor(site)
		if err != nil {
			return all, err
		}
		stats, err := c.Run(ctx, site, ex)
		if p != nil {
			p.done(stats)
		}
		all = append(all, stats)
		if err != nil {
			if ctx.Err() != nil {
				return all, err
			}
			log.Error("site not crawled", "site", site.Name, "err", err)
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	return all, firstErr
}
