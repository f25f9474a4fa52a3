package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"newsarc/crawler"
	"newsarc/store"
	"newsarc/store/bleve"
)

func crawlCmd(g *globals) *cobra.Command {
	var (
		siteName string
		delay    time.Duration
		maxPages int
		maxDepth int
		quiet    bool
		asJSON   bool
		wf       workerFlags
	)
	cmd := &cobra.Command{
		Use:   "crawl [URL...]",
		Short: "Crawl news sites into the archive",
		Long: `Crawl news sites from seed URLs (front pages, section pages, RSS/Atom feeds,
sitemaps) or from the sites of a config file, and archive every article found.

Each seed URL's host is one site. The crawl stays on the site's hosts, obeys
robots.txt, waits --delay between requests to one host, follows list
pagination, related-post and prev/next links, and stays out of traps
(calendars, search pages, comment-reply and tracking URLs). Articles already
in the archive are updated, never duplicated.`,
		Example: `  newsarc crawl https://news.example.com/
  newsarc crawl --delay 2s --max-pages 200 https://news.example.com/feed/
  newsarc crawl --config configs/example.yaml --site example-news
  newsarc crawl --worker --frontier redis://redis:6379/0 --config crawl.yaml   # one of N workers`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := g.config()
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("delay") {
				cfg.Crawler.Delay = delay
			}
			if maxPages > 0 {
				cfg.Crawler.MaxPages = maxPages
			}
			if maxDepth > 0 {
				cfg.Crawler.MaxDepth = maxDepth
			}
			if err := wf.apply(&cfg); err != nil {
				return err
			}
			sites, err := selectSites(cfg, args, siteName)
			if err != nil {
				return err
			}
			log, err := g.logger()
			if err != nil {
				return err
			}
			// A process that owns the archive crawls for us; else we open
			// it and own it while we crawl.
			// A worker of a shared crawl is its own process: it needs a
			// data directory of its own.
			var oc *ownerClient
			if cfg.Worker == "" {
				if oc, err = findOwner(ctx, cfg, g.stderr); err != nil {
					return err
				}
			}
			var a *archive
			if oc == nil {
				a, err = openArchive(ctx, cfg, log)
				if errors.Is(err, bleve.ErrInUse) && cfg.Worker == "" {
					oc, _ = findOwner(ctx, cfg, g.stderr)
				}
				if oc == nil && err != nil {
					return err
				}
			}
			var p *progress
			if !quiet {
				p = newProgress(g.stderr, isTerminal(g.stderr))
			}
			start := time.Now()
			var (
				stats    []crawler.Stats
				crawlErr error
			)
			if oc != nil {
				req := crawlRequest{Sites: sites, Trigger: "manual", MaxPages: maxPages, MaxDepth: maxDepth}
				if cmd.Flags().Changed("delay") {
					req.Delay = &delay
				}
				stats, crawlErr = oc.crawl(ctx, req, watcher(p))
			} else {
				o, err := claimOwner(ctx, a, "crawl", nil, log)
				if err != nil {
					a.Close()
					return err
				}
				stats, crawlErr = a.crawl(ctx, sites, "manual", watcher(p))
				o.Close()
				if err := a.Close(); err != nil && crawlErr == nil {
					crawlErr = fmt.Errorf("close archive: %w", err)
				}
			}
			if asJSON {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(stats); err != nil {
					return err
				}
			} else {
				writeSummary(g.stdout, stats, time.Since(start), cfg.Data)
			}
			if crawlErr != nil && ctx.Err() != nil {
				// Stopped by a signal: say so plainly, with what to do.
				fmt.Fprintln(g.stderr, "Interrupted: the pages in hand were archived; run the same command again to resume where the crawl stopped.")
				return fmt.Errorf("%w: %w", errSilent, context.Canceled)
			}
			return crawlErr
		},
	}
	f := cmd.Flags()
	f.StringVar(&siteName, "site", "", "crawl only this site of the config")
	f.DurationVar(&delay, "delay", time.Second, "delay between requests to one host")
	f.IntVar(&maxPages, "max-pages", 0, "pages fetched per site (default from config, 5000)")
	f.IntVar(&maxDepth, "max-depth", 0, "links followed away from a seed (default from config, 30)")
	f.BoolVarP(&quiet, "quiet", "q", false, "no live progress")
	f.BoolVar(&asJSON, "json", false, "print the crawl stats as JSON")
	wf.add(cmd)
	return cmd
}

// siteName names the site of a seed URL given on the command line: its
// host without "www.", and its port when it has one, so that two sites on
// one address keep apart.
func siteName(u *url.URL) string {
	name := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80") && !(u.Scheme == "https" && p == "443") {
		name += ":" + p
	}
	return name
}

// selectSites turns seed URLs (grouped by host) or the config's sites
// (optionally one by name) into the sites to crawl.
func selectSites(cfg Config, urls []string, name string) ([]crawler.Site, error) {
	if len(urls) > 0 {
		byHost := map[string]*crawler.Site{}
		var order []string
		for _, raw := range urls {
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, fmt.Errorf("seed %q: want an http or https URL", raw)
			}
			host := strings.ToLower(u.Host)
			s, ok := byHost[host]
			if !ok {
				s = &crawler.Site{Name: siteName(u)}
				// A site of the config with this host lends its settings.
				for _, cs := range cfg.Sites {
					for _, seed := range cs.Seeds {
						if su, err := url.Parse(seed); err == nil && strings.EqualFold(su.Host, u.Host) {
							c := cs
							c.Seeds = nil
							s = &c
						}
					}
				}
				byHost[host] = s
				order = append(order, host)
			}
			s.Seeds = append(s.Seeds, raw)
		}
		sites := make([]crawler.Site, 0, len(order))
		for _, h := range order {
			sites = append(sites, *byHost[h])
		}
		return sites, nil
	}
	if len(cfg.Sites) == 0 {
		return nil, errors.New("nothing to crawl: give seed URLs or --config with sites")
	}
	if name == "" {
		return cfg.Sites, nil
	}
	for _, s := range cfg.Sites {
		if s.Name == name {
			return []crawler.Site{s}, nil
		}
	}
	return nil, fmt.Errorf("no site named %q in the config", name)
}

// progress shows live crawl counts: one rewritten line on a terminal, a
// line every few seconds otherwise. Sites crawled at the same time are
// added up on the one line.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	last  time.Time
	sites map[string]crawler.Stats // the sites running now
}

func newProgress(w io.Writer, tty bool) *progress {
	return &progress{w: w, tty: tty, sites: map[string]crawler.Stats{}}
}

func (p *progress) update(s crawler.Stats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sites[s.Site] = s
	var t crawler.Stats
	var errs int
	for _, x := range p.sites {
		t.Fetched += x.Fetched
		t.Waiting += x.Waiting
		t.New += x.New
		t.Updated += x.Updated
		t.Unchanged += x.Unchanged
		t.NotArticle += x.NotArticle
		t.Bytes += x.Bytes
		errs += x.ErrorCount()
	}
	name := s.Site
	if len(p.sites) > 1 {
		name = fmt.Sprintf("%d sites", len(p.sites))
	}
	line := fmt.Sprintf("%s: %d fetched, %d to go, %d articles (%d new, %d updated), %d not articles, %d errors, %s",
		name, t.Fetched, t.Waiting, t.Articles(), t.New, t.Updated, t.NotArticle, errs, store.FormatBytes(t.Bytes))
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		return
	}
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) done(s crawler.Stats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.sites, s.Site)
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.last = time.Time{}
}

// writeSummary prints what a crawl did, site by site.
func writeSummary(w io.Writer, stats []crawler.Stats, dur time.Duration, data string) {
	var tot crawler.Stats
	for _, s := range stats {
		fmt.Fprintf(w, "Crawled %s in %s\n", s.Site, s.Duration.Round(time.Millisecond))
		fmt.Fprintf(w, "  pages fetched   %d (%s)\n", s.Fetched, store.FormatBytes(s.Bytes))
		fmt.Fprintf(w, "  articles        %d new, %d updated, %d unchanged\n", s.New, s.Updated, s.Unchanged)
		if s.ArticlePages > 0 {
			fmt.Fprintf(w, "  article pages   %d continuation pages merged into their articles\n", s.ArticlePages)
		}
		if s.Duplicates > 0 {
			fmt.Fprintf(w, "  near-duplicates %d linked to an article archived earlier\n", s.Duplicates)
		}
		fmt.Fprintf(w, "  other pages     %d followed, not archived\n", s.NotArticle)
		if len(s.Verdicts) > 0 {
			fmt.Fprintf(w, "  judged not news %s\n", counts(s.Verdicts))
		}
		if s.Undated > 0 {
			fmt.Fprintf(w, "  undated         %d articles archived without a publish date\n", s.Undated)
		}
		if s.Retries > 0 {
			fmt.Fprintf(w, "  retries         %d\n", s.Retries)
		}
		fmt.Fprintf(w, "  skipped         %s\n", counts(s.Skipped))
		fmt.Fprintf(w, "  errors          %s\n", counts(s.Errors))
		if len(s.RobotsUnavailable) > 0 {
			fmt.Fprintf(w, "  robots.txt      unavailable for %s: nothing fetched there this run\n", strings.Join(s.RobotsUnavailable, ", "))
		}
		tot.Fetched += s.Fetched
		tot.New += s.New
		tot.Updated += s.Updated
		tot.Unchanged += s.Unchanged
		if tot.Errors == nil {
			tot.Errors = map[string]int{}
		}
		for k, v := range s.Errors {
			tot.Errors[k] += v
		}
	}
	if len(stats) > 1 {
		fmt.Fprintf(w, "Total: %d sites, %d pages, %d new, %d updated, %d unchanged, %d errors in %s\n",
			len(stats), tot.Fetched, tot.New, tot.Updated, tot.Unchanged, tot.ErrorCount(), dur.Round(time.Millisecond))
	}
	if data != "" {
		fmt.Fprintf(w, "Archive: %s\n", data)
	}
}

// counts formats a map of counts as "a 3, b 1", largest first, or "none".
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
